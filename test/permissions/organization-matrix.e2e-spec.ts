import { join } from 'node:path';
import { RESOURCE_KINDS } from '../../src/policy/vocabulary';
import { segmentOf } from '../factories/resources.factory';
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
      'GET /organizations/{orgId}/permissions':
        'what the caller may do on O: walked against every row in check-api-matrix.e2e-spec.ts',
      // O's resource lists and joining have their rows in resource-organization-matrix.csv, whose suite
      // (resource-matrix.e2e-spec.ts) checks the coverage of /organizations/{orgId}/<kind>.
      ...Object.fromEntries(
        RESOURCE_KINDS.flatMap((kind) => [
          [`GET /organizations/{orgId}/${segmentOf(kind)}`, 'resource-organization-matrix.csv'],
          [`POST /organizations/{orgId}/${segmentOf(kind)}/{id}/join`, 'resource-organization-matrix.csv'],
        ]),
      ),
    },
  },
});
