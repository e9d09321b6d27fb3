import { AuditEvent } from '../modules/audit/entities/audit-event.entity';
import { EmailToken } from '../modules/auth/entities/email-token.entity';
import { GroupMember } from '../modules/groups/entities/group-member.entity';
import { Group } from '../modules/groups/entities/group.entity';
import { MemberSearchWord } from '../modules/membership/entities/member-search-word.entity';
import { Membership } from '../modules/membership/entities/membership.entity';
import { OrganizationDomain } from '../modules/organizations/entities/organization-domain.entity';
import { Organization } from '../modules/organizations/entities/organization.entity';
import { Collaborator } from '../modules/resources/entities/collaborator.entity';
import { NotificationRecipient } from '../modules/resources/entities/notification-recipient.entity';
import { Notification } from '../modules/resources/entities/notification.entity';
import { ProjectDataset } from '../modules/resources/entities/project-dataset.entity';
import { ResourceGroup } from '../modules/resources/entities/resource-group.entity';
import { Resource } from '../modules/resources/entities/resource.entity';
import { ProjectTag } from '../modules/tags/entities/project-tag.entity';
import { Tag } from '../modules/tags/entities/tag.entity';
import { User } from '../modules/users/entities/user.entity';

/** Every entity, listed rather than globbed so the same list serves ts (tests) and js (dist). */
export const ENTITIES = [
  User,
  EmailToken,
  Organization,
  OrganizationDomain,
  Membership,
  MemberSearchWord,
  Group,
  GroupMember,
  Resource,
  Collaborator,
  ResourceGroup,
  ProjectDataset,
  Notification,
  NotificationRecipient,
  Tag,
  ProjectTag,
  AuditEvent,
];
