import { Entity, Index, ManyToOne, Ref, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../../../database/base.entity';
import { Resource } from './resource.entity';

@Entity({ tableName: 'project_datasets' })
@Unique({ name: 'project_datasets_project_dataset_unique', properties: ['project', 'dataset'] })
@Index({ name: 'project_datasets_dataset_idx', properties: ['dataset'] })
export class ProjectDataset extends BaseEntity {
  @ManyToOne({ entity: () => Resource, ref: true, deleteRule: 'cascade' })
  project: Ref<Resource>;

  @ManyToOne({ entity: () => Resource, ref: true, deleteRule: 'cascade' })
  dataset: Ref<Resource>;
}
