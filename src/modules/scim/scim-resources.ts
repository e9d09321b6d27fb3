import { isEmail } from 'class-validator';
import { isStorableText } from '../../common/storable-text';
import { ScimErrors } from './scim.errors';

export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** What SCIM may set on a user of the organization. `admin` is the explicit mapping: a role `admin`. */
export interface ScimUserState {
  userName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  active: boolean;
  admin: boolean;
}

export interface ScimGroupState {
  displayName: string;
  externalId: string | null;
  memberIds: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys compared without case, as RFC 7643 §2.1 says attribute names are. */
function get(object: Json, key: string): unknown {
  const found = Object.keys(object).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : object[found];
}

function text(value: unknown, attribute: string, max = 256): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max || !isStorableText(value)) {
    throw ScimErrors.invalidValue(`${attribute} must be a string of at most ${max} characters`);
  }
  return value;
}

/** Entra ID sends booleans as the strings "True" and "False". */
function bool(value: unknown, attribute: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw ScimErrors.invalidValue(`${attribute} must be true or false`);
}

function email(value: unknown): string {
  const userName = text(value, 'userName', 254);
  if (!userName || !isEmail(userName)) throw ScimErrors.invalidValue('userName must be the user\'s email address');
  return userName.trim().toLowerCase();
}

function isAdmin(roles: unknown): boolean {
  if (roles === undefined || roles === null) return false;
  if (!Array.isArray(roles)) throw ScimErrors.invalidValue('roles must be a list of { value }');
  return roles.some((role) => {
    const value = isObject(role) ? get(role, 'value') : role;
    if (value !== 'admin' && value !== 'member') throw ScimErrors.invalidValue('A role is "admin" or "member"');
    return value === 'admin';
  });
}

/** A User resource as POST and PUT send it. Attributes we do not keep (title, phoneNumbers...) are ignored. */
export function userFromResource(body: unknown): ScimUserState {
  if (!isObject(body)) throw ScimErrors.invalidValue('The body must be a SCIM User resource');
  const name = get(body, 'name');
  if (name !== undefined && name !== null && !isObject(name)) throw ScimErrors.invalidValue('name must be an object');
  const active = get(body, 'active');
  return {
    userName: email(get(body, 'userName')),
    externalId: text(get(body, 'externalId'), 'externalId'),
    givenName: isObject(name) ? text(get(name, 'givenName'), 'name.givenName') : null,
    familyName: isObject(name) ? text(get(name, 'familyName'), 'name.familyName') : null,
    active: active === undefined || active === null ? true : bool(active, 'active'),
    admin: isAdmin(get(body, 'roles')),
  };
}

export function groupFromResource(body: unknown): ScimGroupState {
  if (!isObject(body)) throw ScimErrors.invalidValue('The body must be a SCIM Group resource');
  const displayName = text(get(body, 'displayName'), 'displayName', 100)?.trim();
  if (!displayName) throw ScimErrors.invalidValue('displayName is required');
  return {
    displayName,
    externalId: text(get(body, 'externalId'), 'externalId'),
    memberIds: memberIds(get(body, 'members') ?? []),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function memberIds(value: unknown): string[] {
  const members = Array.isArray(value) ? value : [value];
  if (members.length > 1000) throw ScimErrors.invalidValue('At most 1000 members at once');
  return members.map((member) => {
    const id = isObject(member) ? get(member, 'value') : member;
    if (typeof id !== 'string' || !UUID.test(id)) throw ScimErrors.invalidValue('A member is { "value": "<user id>" }');
    return id.toLowerCase();
  });
}

interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string | undefined;
  value: unknown;
}

/** The operations of a PatchOp request (RFC 7644 §3.5.2), with `op` in any case as Entra sends it. */
export function patchOperations(body: unknown): PatchOperation[] {
  const operations = isObject(body) ? get(body, 'Operations') : undefined;
  if (!Array.isArray(operations) || operations.length === 0 || operations.length > 100) {
    throw ScimErrors.invalidValue('A PatchOp needs 1 to 100 Operations');
  }
  return operations.map((operation) => {
    if (!isObject(operation)) throw ScimErrors.invalidValue('An operation is { op, path?, value? }');
    const op = String(get(operation, 'op') ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw ScimErrors.invalidValue('op is add, replace or remove');
    }
    const path = get(operation, 'path');
    if (path !== undefined && (typeof path !== 'string' || path.length > 300)) {
      throw ScimErrors.invalidPath('path must be a string');
    }
    return { op, path: path?.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, ''), value: get(operation, 'value') };
  });
}

const EMAIL_VALUE_PATH = /^emails(\[[^\]]*\])?\.value$/i;

/** The user as it is once the operations are applied, in order. Unknown attributes are ignored. */
export function patchUser(current: ScimUserState, operations: PatchOperation[]): ScimUserState {
  const next = { ...current };
  const set = (attribute: string, value: unknown, op: PatchOperation['op']) => {
    const removing = op === 'remove';
    switch (attribute.toLowerCase()) {
      case 'active':
        if (removing) throw ScimErrors.invalidPath('active cannot be removed');
        next.active = bool(value, 'active');
        return;
      case 'username':
        if (removing || email(value) !== current.userName) {
          throw ScimErrors.invalidValue("userName is the user's email address here and cannot change");
        }
        return;
      case 'externalid':
        next.externalId = removing ? null : text(value, 'externalId');
        return;
      case 'name.givenname':
        next.givenName = removing ? null : text(value, 'name.givenName');
        return;
      case 'name.familyname':
        next.familyName = removing ? null : text(value, 'name.familyName');
        return;
      case 'name':
        if (removing) {
          next.givenName = next.familyName = null;
        } else if (isObject(value)) {
          for (const [key, part] of Object.entries(value)) set(`name.${key}`, part, op);
        } else throw ScimErrors.invalidValue('name must be an object');
        return;
      case 'roles':
        next.admin = removing ? false : op === 'add' ? next.admin || isAdmin(value) : isAdmin(value);
        return;
      default:
        if (EMAIL_VALUE_PATH.test(attribute) && !removing && email(value) !== current.userName) {
          throw ScimErrors.invalidValue("The user's email is their userName here and cannot change");
        }
    }
  };
  for (const operation of operations) {
    if (operation.path === undefined) {
      if (!isObject(operation.value)) throw ScimErrors.invalidValue('An operation without a path needs an object value');
      for (const [key, value] of Object.entries(operation.value)) set(key, value, operation.op);
    } else {
      set(operation.path, operation.value, operation.op);
    }
  }
  return next;
}

const MEMBER_FILTER_PATH = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i;

/** The group as it is once the operations are applied, in order. */
export function patchGroup(current: ScimGroupState, operations: PatchOperation[]): ScimGroupState {
  const next = { ...current, memberIds: [...current.memberIds] };
  const set = (attribute: string, value: unknown, op: PatchOperation['op']) => {
    const filtered = MEMBER_FILTER_PATH.exec(attribute);
    if (filtered) {
      if (op !== 'remove') throw ScimErrors.invalidPath('A members[value eq ...] path is only for remove');
      next.memberIds = next.memberIds.filter((id) => id !== filtered[1].toLowerCase());
      return;
    }
    switch (attribute.toLowerCase()) {
      case 'displayname': {
        if (op === 'remove') throw ScimErrors.invalidPath('displayName cannot be removed');
        const name = text(value, 'displayName', 100)?.trim();
        if (!name) throw ScimErrors.invalidValue('displayName is required');
        next.displayName = name;
        return;
      }
      case 'externalid':
        next.externalId = op === 'remove' ? null : text(value, 'externalId');
        return;
      case 'members': {
        if (op === 'remove') {
          // Okta removes by filter path; Entra sends the members to remove as the value; no value is all.
          const removed = value === undefined || value === null ? next.memberIds : memberIds(value);
          next.memberIds = next.memberIds.filter((id) => !removed.includes(id));
        } else {
          const given = memberIds(value);
          next.memberIds = op === 'add' ? [...new Set([...next.memberIds, ...given])] : [...new Set(given)];
        }
        return;
      }
      case 'id':
        return;
      default:
        if (attribute.toLowerCase().startsWith('members')) throw ScimErrors.invalidPath(`Unsupported path ${attribute}`);
    }
  };
  for (const operation of operations) {
    if (operation.path === undefined) {
      if (!isObject(operation.value)) throw ScimErrors.invalidValue('An operation without a path needs an object value');
      for (const [key, value] of Object.entries(operation.value)) set(key, value, operation.op);
    } else {
      set(operation.path, operation.value, operation.op);
    }
  }
  return next;
}
