import { Entity, Enum, Index, ManyToOne, Opt, Property, Ref } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { User } from '../../users/entities/user.entity';
import { RESOURCE_KINDS, ResourceKind } from '../../../policy/vocabulary';

/**
 * Projects, datasets and ontologies in one table: they share ownership, collaborators, groups and
 * joining, so one mechanism serves all three. Kind-specific columns are null for the other kinds.
 */
@Entity({ tableName: 'resources' })
@Index({ name: 'resources_org_kind_created_idx', properties: ['organization', 'kind', 'createdAt', 'id'] })
@Index({ name: 'resources_owner_idx', properties: ['owner', 'kind'] })
// Serves the project lists' tag filters (`tag_ids @> ...`, `tag_ids && ...`).
@Index({
  name: 'resources_tag_ids_gin',
  expression: 'create index "resources_tag_ids_gin" on "resources" using gin ("tag_ids")',
})
export class Resource extends BaseEntity {
  @Enum({ items: [...RESOURCE_KINDS] })
  kind: ResourceKind;

  /** Null when the creator was internal in no organization. */
  @ManyToOne({ entity: () => Organization, ref: true, nullable: true, deleteRule: 'cascade' })
  organization: Ref<Organization> | null = null;

  @ManyToOne({ entity: () => User, ref: true, deleteRule: 'cascade' })
  owner: Ref<User>;

  @Property({ type: 'text' })
  title: string;

  @Property({ type: 'text', default: '' })
  description: Opt<string> = '';

  /** Ontologies only: the labelling schema. */
  @Property({ type: 'jsonb', nullable: true })
  structure: Record<string, unknown> | null = null;

  /** Projects only. */
  @ManyToOne({ entity: () => Resource, ref: true, nullable: true, deleteRule: 'set null', index: true })
  ontology: Ref<Resource> | null = null;

  /**
   * Projects only: the ids of the project's tags, a copy of its project_tags rows kept by that table's
   * triggers in the same transaction (see Migration20261130020000_project_tag_ids), never written by
   * code. Lazy: not loaded, so never part of a change set either.
   */
  @Property({ type: 'uuid[]', defaultRaw: `'{}'`, lazy: true })
  tagIds: Opt<string[]>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Opt<Date> = new Date();
}
