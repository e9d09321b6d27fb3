import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditRecord } from '../audit/audit.service';
import type { ResourceRef } from './resources.repository';

/** An audit event about a resource, by the caller of the request, under the resource's organization. */
export const resourceEvent = (
  policy: RequestPolicy,
  resource: Pick<ResourceRef, 'id' | 'kind' | 'organization'>,
  action: string,
  data: Record<string, unknown>,
): AuditRecord => ({
  organizationId: resource.organization?.id ?? null,
  actorId: policy.ctx.caller.userId,
  action,
  targetType: resource.kind,
  targetId: resource.id,
  data,
});
