import { ApiSchema } from '@nestjs/swagger';
import { PageOf } from '../../../common/pagination';

@ApiSchema({ name: 'Group', description: "A group of an organization's users." })
export class GroupDto {
  id: string;
  /** Unique in the organization, whatever the case. */
  name: string;
  description: string;
  memberCount: number;
  createdAt: string;
}

@ApiSchema({ name: 'GroupPage', description: 'A page of groups, by name.' })
export class GroupPage extends PageOf(GroupDto) {}

@ApiSchema({ name: 'GroupMember', description: 'A user in a group.' })
export class GroupMemberDto {
  userId: string;
  email: string;
  name: string;
}

@ApiSchema({ name: 'GroupDetail', description: 'A group with its members.' })
export class GroupDetailDto extends GroupDto {
  /** By name, then email. */
  members: GroupMemberDto[];
}
