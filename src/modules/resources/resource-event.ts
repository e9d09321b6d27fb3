import { RequestPolicy } from '../../policy/current-policy.decorator';
import { AuditRecord } from '../audit/audit.service';
import { Resource } from './entities/resource.entity';

/** An audit event about a resource, by the caller of the request, under the resource's organization. */
export const resourceEvent = (
  policy: RequestPolicy,
  resource: Resource,
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
