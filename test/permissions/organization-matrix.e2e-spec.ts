import { join } from 'node:path';
import { describeMatrix, readMatrix } from './permission-matrix';
import { ORGANIZATION_PROBES } from './organization-probes';
import { buildOrganizationWorld, ORGANIZATION_CALLERS, organizationCredentials } from './organization-world';

describeMatrix({
  title: 'Permission matrix: organization-level actions',
  callers: ORGANIZATION_CALLERS,
  rows: readMatrix(join(__dirname, 'organization-matrix.csv'), ORGANIZATION_CALLERS),
  probes: ORGANIZATION_PROBES,
  buildWorld: buildOrganizationWorld,
  credentials: organizationCredentials,
  crossTenantCallers: ['P', 'A'],
  routeCoverage: {
    prefixes: ['/organizations', '/platform'],
    exempt: {
      'GET /organizations':
        "the caller's own organizations: about no organization O (organizations e2e suite)",
      // O's resource lists and joins have their own table: resource-organization-matrix.csv.
      ...Object.fromEntries(
        ['projects', 'datasets', 'ontologies'].flatMap((segment) => [
          [`GET /organizations/{orgId}/${segment}`, 'resource-organization-matrix.csv'],
          [`POST /organizations/{orgId}/${segment}/{id}/join`, 'resource-organization-matrix.csv'],
        ]),
      ),
    },
  },
});
