import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  JWK,
  JWTPayload,
  KeyLike,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { AppConfig } from '../../src/config/app-config';
import { IdentityLinksService } from '../../src/modules/identity-providers/identity-links.service';
import { IdentityProviderTokenAuthenticator } from '../../src/modules/identity-providers/identity-provider-token.authenticator';
import { UserIdentitiesRepository } from '../../src/modules/identity-providers/user-identities.repository';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { addCollaborator, insertResource } from '../factories/resources.factory';
import { createUser, uniqueEmail, uniqueName } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

async function signingKey(alg: Algorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: 'Ed25519' });
  const kid = `${alg}-${randomBytes(4).toString('hex')}`;
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A provider's JWKS endpoint on loopback: the keys it publishes can change, and it counts its fetches. */
class JwksServer {
  private server?: Server;
  readonly published = new Map<string, JWK[]>();
  readonly fetches = new Map<string, number>();
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const path = request.url ?? '';
      this.fetches.set(path, (this.fetches.get(path) ?? 0) + 1);
      const keys = this.published.get(path);
      response.writeHead(keys ? 200 : 404, { 'content-type': 'application/json' });
      response.end(JSON.stringify(keys ? { keys } : { error: 'not found' }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }
}

const AUDIENCE = 'orgs-api';

describe('Identity providers: their tokens as bearer tokens', () => {
  const jwks = new JwksServer();
  let t: TestApp;
  const keys = {} as Record<
    'rs' | 'es' | 'ed' | 'file' | 'rotate1' | 'rotate2' | 'rotate3' | 'other',
    SigningKey
  >;
  const issuer = {
    rs: 'https://rs.idp.test/',
    es: 'https://es.idp.test/',
    ed: 'https://ed.idp.test/',
    file: 'https://file.idp.test/',
    rotate: 'https://rotate.idp.test/',
    fenced: 'https://fenced.idp.test/',
    pinned: 'https://pinned.idp.test/',
  };

  beforeAll(async () => {
    await jwks.start();
    keys.rs = await signingKey('RS256');
    keys.es = await signingKey('ES256');
    keys.ed = await signingKey('EdDSA');
    keys.file = await signingKey('RS256');
    keys.rotate1 = await signingKey('RS256');
    keys.rotate2 = await signingKey('RS256');
    keys.rotate3 = await signingKey('RS256');
    keys.other = await signingKey('RS256');
    jwks.published.set('/rs', [keys.rs.jwk]);
    jwks.published.set('/es', [keys.es.jwk]);
    // Publishes an EC key too, but is pinned to RS256.
    jwks.published.set('/pinned', [keys.rs.jwk, keys.es.jwk]);
    jwks.published.set('/ed', [keys.ed.jwk]);
    jwks.published.set('/rotate', [keys.rotate1.jwk]);
    const dir = await mkdtemp(join(tmpdir(), 'oidc-'));
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify({ keys: [keys.file.jwk] }));
    t = await TestApp.start({
      OIDC_ISSUERS: JSON.stringify([
        { issuer: issuer.rs, audience: AUDIENCE, jwksUrl: jwks.url('/rs'), algorithms: ['RS256'] },
        { issuer: issuer.es, audience: AUDIENCE, jwksUrl: jwks.url('/es'), algorithms: ['ES256'] },
        {
          issuer: issuer.ed,
          audience: AUDIENCE,
          jwksUrl: jwks.url('/ed'),
          algorithms: ['EdDSA'],
          emailClaim: 'mail',
        },
        { issuer: issuer.file, audience: AUDIENCE, jwksFile: file, algorithms: ['RS256'] },
        { issuer: issuer.rotate, audience: AUDIENCE, jwksUrl: jwks.url('/rotate'), algorithms: ['RS256'] },
        { issuer: issuer.pinned, audience: AUDIENCE, jwksUrl: jwks.url('/pinned'), algorithms: ['RS256'] },
        {
          issuer: issuer.fenced,
          audience: AUDIENCE,
          jwksUrl: jwks.url('/rs'),
          algorithms: ['RS256'],
          emailDomains: ['fenced.test'],
        },
      ]),
    });
  });
  afterAll(async () => {
    await t?.close();
    await jwks.stop();
    jest.restoreAllMocks();
  });

  /** A token of `iss` signed with `key`, for a person: verified email unless the claims say otherwise. */
  function tokenOf(
    key: SigningKey,
    iss: string,
    claims: JWTPayload = {},
    options: {
      exp?: number | string;
      nbf?: number | string;
      aud?: string;
      kid?: string | null;
      sub?: string;
    } = {},
  ): Promise<string> {
    const jwt = new SignJWT({ email_verified: true, ...claims })
      .setProtectedHeader({ alg: key.alg, ...(options.kid === null ? {} : { kid: options.kid ?? key.kid }) })
      .setIssuer(iss)
      .setAudience(options.aud ?? AUDIENCE)
      .setSubject(options.sub ?? `sub-${randomBytes(6).toString('hex')}`)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m');
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
    return jwt.sign(key.privateKey);
  }

  const person = (email = uniqueEmail('idp.test')) => ({
    email,
    name: uniqueName('Person'),
    sub: `sub-${randomBytes(6).toString('hex')}`,
  });
  const me = (token: string) => t.get('/me', token);
  const userByEmail = async (email: string) =>
    (
      await t.sql<{ id: string; email_verified_at: Date | null; password_hash: string | null; name: string }>(
        'select id, email_verified_at, password_hash, name from users where email = ?',
        [email],
      )
    )[0];
  const auditOf = (userId: string) =>
    t.sql<{ action: string; data: Record<string, unknown>; organization_id: string | null }>(
      'select action, data, organization_id from audit_events where target_id = ? order by created_at, action',
      [userId],
    );

  describe('accepted', () => {
    it.each([
      ['RS256', 'rs', 'email'],
      ['ES256', 'es', 'email'],
      ['EdDSA', 'ed', 'mail'],
    ] as const)('a %s token of a configured issuer signs its person in', async (_alg, name, emailClaim) => {
      const p = person();
      const token = await tokenOf(keys[name], issuer[name], { [emailClaim]: p.email }, { sub: p.sub });
      const response = await me(token);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ email: p.email, isPlatformAdmin: false });
    });

    it('the keys may come from a file (jwksFile)', async () => {
      const p = person();
      expect((await me(await tokenOf(keys.file, issuer.file, { email: p.email }))).status).toBe(200);
    });

    it('a token without kid is accepted when one key of its algorithm is published', async () => {
      const p = person();
      const token = await tokenOf(keys.es, issuer.es, { email: p.email }, { kid: null });
      expect((await me(token)).status).toBe(200);
    });

    it('a token expired or not yet valid by less than the 30 s clock tolerance is accepted', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await tokenOf(
        keys.rs,
        issuer.rs,
        { email: uniqueEmail('idp.test') },
        { exp: now - 10 },
      );
      const early = await tokenOf(keys.rs, issuer.rs, { email: uniqueEmail('idp.test') }, { nbf: now + 10 });
      expect((await me(expired)).status).toBe(200);
      expect((await me(early)).status).toBe(200);
    });
  });

  describe('refused with 401', () => {
    const refused = async (token: string) => {
      const response = await me(token);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHENTICATED');
    };
    const email = () => ({ email: uniqueEmail('idp.test') });

    it('alg none', async () => {
      const token = new UnsecuredJWT(email())
        .setIssuer(issuer.rs)
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setExpirationTime('5m')
        .encode();
      await refused(token);
    });

    it('HS256 signed with the public key as secret (algorithm confusion)', async () => {
      const pem = await exportSPKI(keys.rs.publicKey);
      for (const secret of [pem, JSON.stringify(keys.rs.jwk)]) {
        const token = await new SignJWT({ ...email(), email_verified: true })
          .setProtectedHeader({ alg: 'HS256', kid: keys.rs.kid })
          .setIssuer(issuer.rs)
          .setAudience(AUDIENCE)
          .setSubject('confused')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(secret));
        await refused(token);
      }
    });

    it('an algorithm the issuer is not pinned to, even with a published key', async () => {
      expect((await me(await tokenOf(keys.rs, issuer.pinned, email()))).status).toBe(200);
      await refused(await tokenOf(keys.es, issuer.pinned, email()));
    });

    it('a token of an issuer nobody configured', async () => {
      await refused(await tokenOf(keys.rs, 'https://unknown.idp.test/', email()));
    });

    it("a token naming an issuer but signed with another issuer's key", async () => {
      await refused(
        await tokenOf(keys.es, issuer.ed, { mail: uniqueEmail('idp.test') }, { kid: keys.ed.kid }),
      );
      await refused(await tokenOf(keys.other, issuer.rs, email(), { kid: keys.rs.kid }));
    });

    it('a token for another audience', async () => {
      await refused(await tokenOf(keys.rs, issuer.rs, email(), { aud: 'someone-else' }));
    });

    it('an expired token (past the tolerance)', async () => {
      await refused(await tokenOf(keys.rs, issuer.rs, email(), { exp: Math.floor(Date.now() / 1000) - 60 }));
    });

    it('a token not valid yet (nbf past the tolerance)', async () => {
      await refused(await tokenOf(keys.rs, issuer.rs, email(), { nbf: Math.floor(Date.now() / 1000) + 120 }));
    });

    it('a token without exp', async () => {
      const token = await new SignJWT({ ...email(), email_verified: true })
        .setProtectedHeader({ alg: 'RS256', kid: keys.rs.kid })
        .setIssuer(issuer.rs)
        .setAudience(AUDIENCE)
        .setSubject('forever')
        .sign(keys.rs.privateKey);
      await refused(token);
    });

    it('a token whose kid is not in the JWKS', async () => {
      await refused(await tokenOf(keys.rs, issuer.rs, email(), { kid: 'not-published' }));
    });

    it('a tampered token', async () => {
      const token = await tokenOf(keys.rs, issuer.rs, email());
      const [header, , signature] = token.split('.');
      const payload = Buffer.from(
        JSON.stringify({
          iss: issuer.rs,
          aud: AUDIENCE,
          sub: 'root',
          exp: 9999999999,
          ...email(),
          email_verified: true,
        }),
      ).toString('base64url');
      await refused(`${header}.${payload}.${signature}`);
    });
  });

  describe('who the token names', () => {
    it('an unknown person with a verified email is created just in time and joins the organization of their domain', async () => {
      const domain = `jit-${randomBytes(4).toString('hex')}.test`;
      const org = await createOrganization(t, { domains: [domain] });
      const p = person(`ada@${domain}`);
      const response = await me(
        await tokenOf(
          keys.rs,
          issuer.rs,
          { email: 'Ada@' + domain.toUpperCase(), name: 'Ada Lovelace' },
          { sub: p.sub },
        ),
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        email: p.email,
        name: 'Ada Lovelace',
        memberships: [
          expect.objectContaining({ organization: expect.objectContaining({ id: org.id }), type: 'member' }),
        ],
      });
      const user = await userByEmail(p.email);
      expect(user).toMatchObject({ password_hash: null, email_verified_at: expect.anything() });
      const elsewhere = await createOrganization(t);
      await t.post(
        `/organizations/${elsewhere.id}/members`,
        { email: p.email, type: 'external' },
        elsewhere.admin.token,
      );
      const [added] = await t.sql('select data from audit_events where organization_id = ? and action = ?', [
        elsewhere.id,
        'membership.added',
      ]);
      expect(added.data.status).toBe('active');
      const members = await t.get(`/organizations/${org.id}/members?q=ada`, org.admin.token);
      expect(members.body.items).toEqual([
        expect.objectContaining({ userId: user.id, status: 'active', type: 'member' }),
      ]);
      expect(await auditOf(user.id)).toEqual(
        expect.arrayContaining([
          { action: 'user.created_by_identity_provider', data: { issuer: issuer.rs }, organization_id: null },
          {
            action: 'user.identity_linked',
            data: { issuer: issuer.rs, subject: p.sub, matchedBy: 'created' },
            organization_id: null,
          },
          expect.objectContaining({ action: 'membership.joined_by_domain', organization_id: org.id }),
        ]),
      );
    });

    it('an existing account is linked by verified email, then found by (issuer, sub) whatever the email says', async () => {
      const existing = await createUser(t);
      const p = person(existing.email);
      expect(
        (await me(await tokenOf(keys.es, issuer.es, { email: existing.email }, { sub: p.sub }))).body.id,
      ).toBe(existing.id);
      const renamed = await tokenOf(
        keys.es,
        issuer.es,
        { email: uniqueEmail('idp.test'), email_verified: false },
        { sub: p.sub },
      );
      expect((await me(renamed)).body.id).toBe(existing.id);
      expect(await auditOf(existing.id)).toEqual([
        {
          action: 'user.identity_linked',
          data: { issuer: issuer.es, subject: p.sub, matchedBy: 'verified_email' },
          organization_id: null,
        },
      ]);
      expect(
        await t.sql('select issuer, subject from user_identities where user_id = ?', [existing.id]),
      ).toEqual([{ issuer: issuer.es, subject: p.sub }]);
    });

    it('an invited user (added by email, never signed up) is linked and becomes active', async () => {
      const org = await createOrganization(t);
      const email = uniqueEmail('idp.test');
      expect(
        (await t.post(`/organizations/${org.id}/members`, { email, type: 'member' }, org.admin.token)).status,
      ).toBe(201);
      const response = await me(await tokenOf(keys.rs, issuer.rs, { email }));
      expect(response.body.memberships).toEqual([
        expect.objectContaining({ organization: expect.objectContaining({ id: org.id }), type: 'member' }),
      ]);
      const members = await t.get(`/organizations/${org.id}/members`, org.admin.token);
      expect(members.body.items.find((m: { email: string }) => m.email === email).status).toBe('active');
    });

    it.each([
      ['email_verified false', { email_verified: false }],
      ['email_verified as the text "true"', { email_verified: 'true' }],
      ['email_verified missing', { email_verified: undefined }],
    ])(
      'an unlinked person whose email is not verified (%s) is refused and nothing is written',
      async (_case, claims) => {
        const existing = await createUser(t);
        const token = await tokenOf(keys.rs, issuer.rs, { email: existing.email, ...claims });
        expect((await me(token)).status).toBe(401);
        const fresh = uniqueEmail('idp.test');
        expect((await me(await tokenOf(keys.rs, issuer.rs, { email: fresh, ...claims }))).status).toBe(401);
        expect(await userByEmail(fresh)).toBeUndefined();
        expect(await t.sql('select 1 from user_identities where user_id = ?', [existing.id])).toEqual([]);
      },
    );

    it('an unlinked person without an email is refused', async () => {
      expect((await me(await tokenOf(keys.rs, issuer.rs, {}))).status).toBe(401);
      expect((await me(await tokenOf(keys.rs, issuer.rs, { email: 'not an email' }))).status).toBe(401);
    });

    it("another subject of the same issuer with a linked account's email does not take it over", async () => {
      const p = person();
      expect((await me(await tokenOf(keys.rs, issuer.rs, { email: p.email }, { sub: p.sub }))).status).toBe(
        200,
      );
      expect(
        (await me(await tokenOf(keys.rs, issuer.rs, { email: p.email }, { sub: 'someone-new' }))).status,
      ).toBe(401);
    });

    it('an issuer fenced to email domains vouches for those only', async () => {
      const outside = await createUser(t);
      expect((await me(await tokenOf(keys.rs, issuer.fenced, { email: outside.email }))).status).toBe(401);
      expect(
        (await me(await tokenOf(keys.rs, issuer.fenced, { email: uniqueEmail('fenced.test') }))).status,
      ).toBe(200);
    });

    it('two first requests at once make one user and one link', async () => {
      const p = person();
      const token = await tokenOf(keys.rs, issuer.rs, { email: p.email }, { sub: p.sub });
      const answers = await Promise.all(Array.from({ length: 6 }, () => me(token)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const user = await userByEmail(p.email);
      expect(await t.sql('select subject from user_identities where user_id = ?', [user.id])).toEqual([
        { subject: p.sub },
      ]);
      expect((await auditOf(user.id)).map((event) => event.action)).toEqual(
        ['user.created_by_identity_provider', 'user.identity_linked'].sort(),
      );
    });

    it("a linked person's later requests are found by the scope query alone, through the link", async () => {
      const p = person();
      const token = await tokenOf(keys.rs, issuer.rs, { email: p.email }, { sub: p.sub });
      expect((await me(token)).status).toBe(200);
      const lookups = jest.spyOn(t.app.get(UserIdentitiesRepository), 'userOf');
      try {
        expect((await me(token)).status).toBe(200);
        expect((await me(await tokenOf(keys.rs, issuer.rs, {}, { sub: p.sub }))).status).toBe(200);
        expect(lookups).not.toHaveBeenCalled();
        // The scope query reads the link itself: without it the token names no one.
        await t.sql('delete from user_identities where subject = ?', [p.sub]);
        expect((await me(token)).status).toBe(401);
      } finally {
        lookups.mockRestore();
      }
    });
  });

  describe('key rotation', () => {
    const fetches = () => jwks.fetches.get('/rotate') ?? 0;
    /** Moves the clock the key cache reads, so that the minute between refreshes passes without waiting. */
    function advanceClock(ms: number): void {
      const now = Date.now();
      jest.spyOn(Date, 'now').mockImplementation(() => now + ms);
    }
    afterEach(() => jest.restoreAllMocks());

    it('a new kid refetches the keys; another unknown kid within the minute does not, and is refused', async () => {
      const sign = (key: SigningKey) => tokenOf(key, issuer.rotate, { email: uniqueEmail('idp.test') });
      expect((await me(await sign(keys.rotate1))).status).toBe(200);
      expect((await me(await sign(keys.rotate1))).status).toBe(200);
      expect(fetches()).toBe(1);

      jwks.published.set('/rotate', [keys.rotate2.jwk]);
      advanceClock(61_000);
      expect((await me(await sign(keys.rotate2))).status).toBe(200);
      expect(fetches()).toBe(2);
      // The withdrawn key is gone with the refetch.
      expect((await me(await sign(keys.rotate1))).status).toBe(401);

      // Published already, but the keys were fetched less than a minute ago: no fetch, refused.
      jwks.published.set('/rotate', [keys.rotate2.jwk, keys.rotate3.jwk]);
      expect((await me(await sign(keys.rotate3))).status).toBe(401);
      expect((await me(await sign(keys.other))).status).toBe(401);
      expect(fetches()).toBe(2);

      // A minute later, concurrent requests with the new kid share one fetch.
      advanceClock(122_000);
      const answers = await Promise.all(Array.from({ length: 4 }, async () => me(await sign(keys.rotate3))));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(fetches()).toBe(3);
    });

    it('tokens refused for their algorithm or issuer cause no fetch', async () => {
      const before = fetches();
      const pem = await exportSPKI(keys.rotate2.publicKey);
      const hs = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', kid: 'fresh-kid' })
        .setIssuer(issuer.rotate)
        .setAudience(AUDIENCE)
        .setSubject('x')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem));
      advanceClock(300_000);
      expect((await me(hs)).status).toBe(401);
      expect(fetches()).toBe(before);
    });
  });

  describe('the same policy as our own tokens', () => {
    let org: TestOrganization;
    let otherOrg: TestOrganization;
    let own: { id: string; token: string };
    let oidc: string;
    let project: { id: string };

    beforeAll(async () => {
      org = await createOrganization(t);
      otherOrg = await createOrganization(t);
      const member = await createMember(t, org.id, 'member');
      own = member;
      project = await insertResource(t, { kind: 'project', ownerId: org.admin.id, organizationId: org.id });
      await addCollaborator(t, project.id, member.id, 'annotator');
      oidc = await tokenOf(keys.rs, issuer.rs, { email: member.email });
      expect((await me(oidc)).body.id).toBe(member.id);
    });

    it('every probe answers the same status and body to the person signed in either way', async () => {
      const probes: [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown][] = [
        ['GET', '/me'],
        ['GET', '/organizations'],
        ['GET', `/organizations/${org.id}`],
        ['GET', `/organizations/${org.id}/members`],
        ['GET', `/organizations/${org.id}/groups`],
        ['GET', `/organizations/${org.id}/audit-events`],
        ['GET', `/organizations/${org.id}/projects`],
        ['GET', `/organizations/${otherOrg.id}`],
        ['GET', `/organizations/${otherOrg.id}/members`],
        ['GET', '/projects'],
        ['GET', `/projects/${project.id}`],
        ['GET', `/projects/${project.id}/collaborators`],
        ['PATCH', `/projects/${project.id}`, { title: 'Renamed' }],
        ['DELETE', `/projects/${project.id}`],
        ['POST', `/organizations/${org.id}/members`, { email: uniqueEmail(), type: 'admin' }],
        ['PATCH', `/organizations/${org.id}/members/${org.admin.id}`, { type: 'member' }],
        ['POST', `/organizations/${org.id}/groups`, { name: '' }],
        ['GET', '/platform/organizations'],
        [
          'POST',
          '/platform/organizations',
          { name: 'Nope', domains: ['nope.test'], adminEmails: [uniqueEmail()] },
        ],
      ];
      for (const [method, url, body] of probes) {
        const asOwn = await t.request(method, url, { token: own.token, body });
        const asOidc = await t.request(method, url, { token: oidc, body });
        expect({ method, url, status: asOidc.status }).toEqual({ method, url, status: asOwn.status });
        expect(asOidc.body).toEqual(asOwn.body);
      }
    });
  });

  describe('configuration', () => {
    const load = (issuers: unknown) => () => AppConfig.load({ OIDC_ISSUERS: JSON.stringify(issuers) });
    const valid = {
      issuer: 'https://idp.test/',
      audience: 'a',
      jwksUrl: 'https://idp.test/jwks',
      algorithms: ['RS256'],
    };

    it('is typed, with the email claim defaulting to "email"', () => {
      expect(load([valid])().OIDC_ISSUERS).toEqual([
        {
          issuer: valid.issuer,
          audience: 'a',
          jwks: { url: valid.jwksUrl },
          emailClaim: 'email',
          algorithms: ['RS256'],
        },
      ]);
    });

    it.each([
      ['not JSON', 'nope', /must be a JSON array/],
      ['an HMAC algorithm', [{ ...valid, algorithms: ['HS256'] }], /HS256 is not one of/],
      ['none', [{ ...valid, algorithms: ['none'] }], /none is not one of/],
      ['no algorithms', [{ ...valid, algorithms: [] }], /algorithms must be a non-empty array/],
      ['both key sources', [{ ...valid, jwksFile: '/k.json' }], /exactly one of jwksUrl and jwksFile/],
      ['plain http off loopback', [{ ...valid, jwksUrl: 'http://idp.test/jwks' }], /https/],
      ['a misspelt setting', [{ ...valid, audiance: 'a' }], /audiance is not a setting/],
      ['an issuer twice', [valid, valid], /listed twice/],
    ])('refuses %s at boot', (_case, issuers, message) => {
      const run =
        typeof issuers === 'string' ? () => AppConfig.load({ OIDC_ISSUERS: issuers }) : load(issuers);
      expect(run).toThrow(message);
    });

    it('a key file that cannot be read stops the boot', async () => {
      const config = AppConfig.load({
        OIDC_ISSUERS: JSON.stringify([{ ...valid, jwksUrl: undefined, jwksFile: '/nonexistent/jwks.json' }]),
      });
      const sut = new IdentityProviderTokenAuthenticator(config, t.app.get(IdentityLinksService));
      await expect(sut.onModuleInit()).rejects.toThrow(/keys of https:\/\/idp.test\//);
    });
  });
});
