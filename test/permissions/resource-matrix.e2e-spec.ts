import { join } from 'node:path';
import { RESOURCE_KINDS } from '../../src/policy/vocabulary';
import { segmentOf } from '../factories/resources.factory';
import { describeMatrix, readMatrix } from './permission-matrix';
import { resourceProbes } from './resource-matrix-probes';
import {
  buildResourceWorld,
  callersOf,
  RESOURCE_CALLERS,
  resourceCredentials,
} from './resource-matrix-world';
import { ORGANIZATION_CALLERS, organizationCredentials } from './organization-world';
import { buildResourceOrganizationWorld, RESOURCE_ORGANIZATION_PROBES } from './resource-organization-probes';

const PROJECT_ONLY_ROWS = ['links.manage', 'notifications.manage', 'tags.manage'];
const resourceRows = readMatrix(join(__dirname, 'resource-matrix.csv'), RESOURCE_CALLERS);

for (const kind of RESOURCE_KINDS) {
  const segment = segmentOf(kind);
  describeMatrix({
    title: `Permission matrix: resource-level actions on ${segment}`,
    callers: callersOf(kind),
    rows: resourceRows.filter((row) => kind === 'project' || !PROJECT_ONLY_ROWS.includes(row.id)),
    probes: resourceProbes(kind),
    buildWorld: (t) => buildResourceWorld(t, kind),
    credentials: resourceCredentials,
    crossTenantCallers: ['P', 'admin'],
    routeCoverage: {
      prefixes: [`/${segment}`],
      exempt: {
        [`GET /${segment}`]: 'what the caller has a role on: about no resource R (resources e2e suite)',
        [`POST /${segment}`]: 'any signed-in user creates one: about no resource R (resources e2e suite)',
        [`GET /${segment}/{id}/permissions`]:
          'what the caller may do on R: walked against every row in check-api-matrix.e2e-spec.ts',
      },
    },
  });
}

describeMatrix({
  title: "Permission matrix: organization-level actions on O's projects, datasets and ontologies",
  callers: ORGANIZATION_CALLERS,
  rows: readMatrix(join(__dirname, 'resource-organization-matrix.csv'), ORGANIZATION_CALLERS),
  probes: RESOURCE_ORGANIZATION_PROBES,
  buildWorld: buildResourceOrganizationWorld,
  credentials: organizationCredentials,
  crossTenantCallers: ['P', 'A'],
  routeCoverage: {
    prefixes: RESOURCE_KINDS.map((kind) => `/organizations/{orgId}/${segmentOf(kind)}`),
  },
});
