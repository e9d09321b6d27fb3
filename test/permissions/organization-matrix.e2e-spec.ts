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
    },
  },
});
