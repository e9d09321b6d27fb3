import type { MembershipType } from './vocabulary';
import type { ResourceKind, ResourceRole } from './vocabulary';

/** Who a bearer token names: the user, and their credential version when it was issued. */
export interface TokenSubject {
  userId: string;
  credentialVersion: number;
}

export interface Caller extends TokenSubject {
  isPlatformAdmin: boolean;
}

/** Everything the rules may look at, loaded once per request by the policy guard. */
export interface PolicyContext {
  caller: Caller;
  /** The organization the request is about, when it is about one. */
  organization?: { id: string; isWorkforce: boolean; membershipType: MembershipType | null };
  /** The resource the request is about, with the caller's effective role on it. */
  resource?: { id: string; kind: ResourceKind; organizationId: string | null; role: ResourceRole | null };
}

export const isInternal = (type: MembershipType | null | undefined) => type === 'admin' || type === 'member';
