import { EntityManager } from '@mikro-orm/postgresql';

/**
 * More work a caller needs done in a service's transaction, given the id of the row the service
 * wrote: SCIM keeps the identity provider's ids with the membership or group it provisions, so
 * neither exists without the other.
 */
export type InTransaction = (em: EntityManager, id: string) => Promise<void>;
