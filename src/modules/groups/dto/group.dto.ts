import { PageOf } from '../../../common/pagination';

export class GroupDto {
  id: string;
  /** Unique in the organization, whatever the case. */
  name: string;
  description: string;
  memberCount: number;
  createdAt: string;
}

export class GroupPage extends PageOf(GroupDto) {}

export class GroupMemberDto {
  userId: string;
  email: string;
  name: string;
}

export class GroupDetailDto extends GroupDto {
  /** By name, then email. */
  members: GroupMemberDto[];
}
