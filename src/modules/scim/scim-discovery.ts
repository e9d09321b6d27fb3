import { SCIM_SCHEMAS } from './scim-resources';

const list = (resources: object[]) => ({
  schemas: [SCIM_SCHEMAS.listResponse],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

/** RFC 7643 §5: what a client may rely on here. */
export const serviceProviderConfig = () => ({
  schemas: [SCIM_SCHEMAS.serviceProviderConfig],
  documentationUri: '/docs',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'API key',
      description: "A key of one of the organization's admin service accounts, as `Authorization: Bearer oak_...`.",
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: '/scim/v2/ServiceProviderConfig' },
});

const attribute = (name: string, type: string, extra: object = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const USER_SCHEMA = {
  id: SCIM_SCHEMAS.user,
  name: 'User',
  description: 'An internal user of the organization',
  attributes: [
    attribute('userName', 'string', { required: true, uniqueness: 'server', mutability: 'immutable', description: 'The email address' }),
    attribute('name', 'complex', {
      subAttributes: [attribute('givenName', 'string'), attribute('familyName', 'string'), attribute('formatted', 'string', { mutability: 'readOnly' })],
    }),
    attribute('displayName', 'string', { mutability: 'readOnly' }),
    attribute('emails', 'complex', { multiValued: true, mutability: 'readOnly', subAttributes: [attribute('value', 'string')] }),
    attribute('active', 'boolean'),
    attribute('roles', 'complex', {
      multiValued: true,
      description: '`admin` or `member`: the type in the organization',
      subAttributes: [attribute('value', 'string', { canonicalValues: ['admin', 'member'] })],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/scim/v2/Schemas/${SCIM_SCHEMAS.user}` },
};

const GROUP_SCHEMA = {
  id: SCIM_SCHEMAS.group,
  name: 'Group',
  description: "A group of the organization's users",
  attributes: [
    attribute('displayName', 'string', { required: true, uniqueness: 'server' }),
    attribute('members', 'complex', {
      multiValued: true,
      subAttributes: [attribute('value', 'string', { mutability: 'immutable' }), attribute('display', 'string', { mutability: 'readOnly' })],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/scim/v2/Schemas/${SCIM_SCHEMAS.group}` },
};

export const schemas = () => list([USER_SCHEMA, GROUP_SCHEMA]);

export const resourceTypes = () =>
  list(
    [
      { id: 'User', name: 'User', endpoint: '/Users', schema: SCIM_SCHEMAS.user },
      { id: 'Group', name: 'Group', endpoint: '/Groups', schema: SCIM_SCHEMAS.group },
    ].map((type) => ({
      schemas: [SCIM_SCHEMAS.resourceType],
      ...type,
      meta: { resourceType: 'ResourceType', location: `/scim/v2/ResourceTypes/${type.id}` },
    })),
  );
