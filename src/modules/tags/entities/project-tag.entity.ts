import { Entity, Index, ManyToOne, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Organization } from '../../organizations/entities/organization.entity';
import { Tag } from './tag.entity';

@Entity({ tableName: 'project_tags' })
@Unique({ name: 'project_tags_project_tag_unique', properties: ['project', 'tag'] })
// Serves "projects having tag X" and the per-tag project counts.
@Index({ name: 'project_tags_tag_project_idx', properties: ['tag', 'project'] })
export class ProjectTag extends BaseEntity {
  // By the entity's name: tags build on resources' ids without importing the resources feature, which
  // uses tags (its project lists filter and show them).
  @ManyToOne({ entity: 'Resource', ref: true, deleteRule: 'cascade' })
  project: Ref<BaseEntity>;

  @ManyToOne({ entity: () => Tag, ref: true, deleteRule: 'cascade' })
  tag: Ref<Tag>;

  @ManyToOne({ entity: () => Organization, ref: true, deleteRule: 'cascade', index: true })
  organization: Ref<Organization>;
}
