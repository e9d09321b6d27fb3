import { ScimGroupDto, ScimUserDto } from './dto/scim.dto';
import { SCIM_SCHEMAS } from './scim-resources';
import { ScimGroupRow, ScimUserRow } from './scim.repository';
import { ScimPage } from './scim.service';

const iso = (date: Date) => new Date(date).toISOString();

export function userResource(row: ScimUserRow): ScimUserDto {
  const formatted = [row.given_name, row.family_name].filter(Boolean).join(' ');
  return {
    schemas: [SCIM_SCHEMAS.user],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.email,
    name: {
      ...(row.given_name !== null ? { givenName: row.given_name } : {}),
      ...(row.family_name !== null ? { familyName: row.family_name } : {}),
      ...(formatted ? { formatted } : {}),
    },
    displayName: row.name || formatted || row.email,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.type !== null,
    roles: row.type ? [{ value: row.type, primary: true }] : [],
    meta: {
      resourceType: 'User',
      created: iso(row.created_at),
      lastModified: iso(row.updated_at ?? row.created_at),
      location: `/scim/v2/Users/${row.id}`,
    },
  };
}

export function groupResource(row: ScimGroupRow, withMembers: boolean): ScimGroupDto {
  return {
    schemas: [SCIM_SCHEMAS.group],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    displayName: row.name,
    ...(withMembers ? { members: row.members } : {}),
    meta: {
      resourceType: 'Group',
      created: iso(row.created_at),
      lastModified: iso(row.created_at),
      location: `/scim/v2/Groups/${row.id}`,
    },
  };
}

export function listResponse<Resource>(page: ScimPage<unknown>, resources: Resource[]) {
  return {
    schemas: [SCIM_SCHEMAS.listResponse],
    totalResults: page.total,
    startIndex: page.startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
