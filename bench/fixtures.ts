import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { withClient } from './bench-database';
import type { BenchState } from './bench-state';
import { call } from './http';
import type { WriteInputs } from './scenarios';

/**
 * What the identity, write and hand-over measurements need beyond the seed, made before they run:
 * through the API where a person or a backend would make it (the API key, the run's tag), in SQL where
 * the API would take minutes (a thousand projects of one sole admin).
 */

const ISSUER = 'https://idp.bench.example';
const AUDIENCE = 'orgs-access-bench';

/** A trusted identity provider for the run: its JWKS in a file the server reads, and a token it signed. */
export interface BenchIdentityProvider {
  /** OIDC_ISSUERS for the server. */
  setting: string;
  token: string;
}

export async function benchIdentityProvider(dir: string, email: string): Promise<BenchIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' };
  const jwksFile = join(dir, 'bench-idp-jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
  const token = await new SignJWT({ email, email_verified: true })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('bench-admin')
    .setIssuedAt()
    .setExpirationTime('4h')
    .sign(privateKey);
  const setting = JSON.stringify([{ issuer: ISSUER, audience: AUDIENCE, jwksFile, algorithms: ['RS256'] }]);
  return { setting, token };
}

/** An admin service account of the big organization and one API key of it, made by the admin over the API. */
export async function benchApiKey(baseUrl: string, adminToken: string, state: BenchState, runId: string) {
  const org = `/organizations/${state.bigOrganizationId}`;
  const account = await call<{ id: string }>(baseUrl, adminToken, {
    method: 'POST',
    path: `${org}/service-accounts`,
    body: { name: `bench ${runId}`, type: 'admin' },
  });
  const key = await call<{ secret: string }>(baseUrl, adminToken, {
    method: 'POST',
    path: `${org}/service-accounts/${account.id}/keys`,
    body: { name: `bench ${runId}` },
  });
  return key.secret;
}

/**
 * An admin opens only projects they joined (domain rule), so the admin joins the projects that the
 * ways-in scenarios open and the invitations go to. Joining twice is harmless.
 */
export async function benchAdminJoins(
  baseUrl: string,
  adminToken: string,
  state: BenchState,
  projectIds: string[],
) {
  for (const id of projectIds) {
    await call(baseUrl, adminToken, {
      method: 'POST',
      path: `/organizations/${state.bigOrganizationId}/projects/${id}/join`,
    });
  }
}

/** How many projects the invitations go to, in turn: projects the admin joins for it. */
const INVITATION_PROJECTS = 100;

/** How many projects the write scenarios may each touch once. */
const WRITE_PROJECTS = 60_000;

export async function benchWriteInputs(
  databaseUrl: string,
  baseUrl: string,
  adminToken: string,
  state: BenchState,
  runId: string,
): Promise<WriteInputs> {
  const tag = await call<{ id: string }>(baseUrl, adminToken, {
    method: 'POST',
    path: `/organizations/${state.bigOrganizationId}/tags`,
    body: { name: `bench ${runId}` },
  });
  return withClient(databaseUrl, async (client) => {
    const domain = await client.query<{ domain: string }>(
      'select domain from organization_domains where organization_id = $1 order by domain limit 1',
      [state.bigOrganizationId],
    );
    // Seeded projects only (not those earlier runs created), in a random order per run.
    const projects = await client.query<{ id: string }>(
      `select id from resources
        where organization_id = $1 and kind = 'project' and description like 'Annotation project number %'
        order by md5(id::text || $2) limit $3`,
      [state.bigOrganizationId, runId, WRITE_PROJECTS],
    );
    return {
      runId,
      bigDomain: domain.rows[0].domain,
      projectIds: projects.rows.map((row) => row.id),
      invitationProjectIds: projects.rows.slice(0, INVITATION_PROJECTS).map((row) => row.id),
      tagId: tag.id,
    };
  });
}

/**
 * Members of the big organization who are each made the sole admin of `projects` new projects, for the
 * hand-over measurement (removing them with a replacement hands every project over in one request).
 */
export async function benchSoleAdmins(
  databaseUrl: string,
  state: BenchState,
  runId: string,
  count: number,
  projects: number,
): Promise<string[]> {
  return withClient(databaseUrl, async (client) => {
    await client.query('begin');
    try {
      const { rows } = await client.query<{ user_id: string }>(
        `select m.user_id from memberships m
          where m.organization_id = $1 and m.type = 'member'
            and not exists (select 1 from collaborators c where c.user_id = m.user_id)
            and not exists (select 1 from group_members g where g.user_id = m.user_id)
          order by md5(m.user_id::text || $2) limit $3`,
        [state.bigOrganizationId, runId, count],
      );
      const userIds = rows.map((row) => row.user_id);
      await client.query(
        `with made as (
           insert into resources (id, created_at, updated_at, kind, organization_id, owner_id, title, description)
           select gen_random_uuid(), now(), now(), 'project', $1, u.id, 'bench hand-over ' || $2 || ' #' || p, ''
             from unnest($3::uuid[]) as u(id), generate_series(1, $4::int) as p
           returning id, owner_id)
         insert into collaborators (id, created_at, resource_id, user_id, role, organization_id)
         select gen_random_uuid(), now(), made.id, made.owner_id, 'admin', $1 from made`,
        [state.bigOrganizationId, runId, userIds, projects],
      );
      await client.query('commit');
      return userIds;
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
}

export const newRunId = () => randomBytes(4).toString('hex');
