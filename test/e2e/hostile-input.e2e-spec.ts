import { connect } from 'node:net';
import { createOrganization, createMember, TestOrganization } from '../factories/organizations.factory';
import { insertNotification, insertResource } from '../factories/resources.factory';
import { createPlatformAdmin, TestUser } from '../factories/users.factory';
import { createServiceAccount, keysUrl } from '../factories/service-accounts.factory';
import { HttpResult, TestApp } from '../support/test-app';
import openapi from '../../openapi/openapi.json';

const expectProblem = (response: HttpResult, status: number, code: string) => {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
};

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const SOME_UUID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

/** Cursors that no list issues: each must be a 400, never a SQL error. */
const FORGED_CURSORS: Record<string, string> = {
  'not base64url JSON': '!!not-a-cursor!!',
  truncated: base64Json(['2026-11-28T03:19:05.123456Z', SOME_UUID]).slice(0, 20),
  'an object': base64Json({ a: 1 }),
  'an empty array': base64Json([]),
  'one element': base64Json(['x']),
  'three elements': base64Json(['x', SOME_UUID, 1]),
  numbers: base64Json([1, 2]),
  nulls: base64Json([null, null]),
  'a nested array': base64Json([['x'], SOME_UUID]),
  'an invalid uuid': base64Json(['x', 'not-a-uuid']),
  'a NUL byte': base64Json(['a\u0000b', SOME_UUID]),
  'a lone surrogate': base64Json(['a\ud800b', SOME_UUID]),
};

/** What a real cursor's elements are replaced with: each makes a well-formed but forged cursor. */
const forgeriesOf = (key: unknown[]): Record<string, unknown[]> => {
  const forgeries: Record<string, unknown[]> = {};
  key.forEach((value, index) => {
    const replace = (by: unknown) => key.map((v, i) => (i === index ? by : v));
    forgeries[`element ${index} a number`] = replace(12);
    forgeries[`element ${index} a boolean`] = replace(true);
    if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)) {
      forgeries[`element ${index} an invalid uuid`] = replace(`${value.slice(0, 35)}g`);
    }
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
      forgeries[`element ${index} February 30th`] = replace(
        value.replace(/^\d{4}-\d{2}-\d{2}/, '2026-02-30'),
      );
      forgeries[`element ${index} hour 25`] = replace(value.replace(/^(\d{4}-\d{2}-\d{2}.)\d{2}/, '$125'));
      forgeries[`element ${index} not a time`] = replace('yesterday');
      forgeries[`element ${index} year 0`] = replace(value.replace(/^\d{4}/, '0000'));
    }
  });
  return forgeries;
};

/** Every GET route of the OpenAPI document that takes a `cursor`. */
const LIST_ROUTES = Object.entries(openapi.paths as Record<string, Record<string, any>>)
  .filter(([, operations]) =>
    (operations.get?.parameters ?? []).some((p: { name: string; in: string }) => p.name === 'cursor'),
  )
  .map(([path]) => path);

describe('Hostile input', () => {
  let t: TestApp;
  let caller: TestUser;
  let org: TestOrganization;
  let pathValues: Record<string, string>;

  beforeAll(async () => {
    t = await TestApp.start();
    // One caller who may read every list: platform admin, organization admin, project admin.
    caller = await createPlatformAdmin(t);
    org = await createOrganization(t, { admin: caller });
    await createOrganization(t);
    await createMember(t, org.id, 'member');
    const project = await insertResource(t, { kind: 'project', ownerId: caller.id, organizationId: org.id });
    for (const kind of ['project', 'dataset', 'ontology'] as const) {
      await insertResource(t, { kind, ownerId: caller.id, organizationId: org.id });
      await insertResource(t, { kind, ownerId: caller.id, organizationId: org.id });
    }
    await insertNotification(t, project.id);
    await insertNotification(t, project.id);
    for (const name of ['Alpha', 'Beta']) {
      await t.post(`/organizations/${org.id}/tags`, { name }, caller.token);
      await t.post(`/organizations/${org.id}/groups`, { name }, caller.token);
    }
    // Two service accounts, the first with two keys: their lists have a second page too.
    const [account] = await Promise.all([createServiceAccount(t, org), createServiceAccount(t, org)]);
    await t.post(`${keysUrl(org, account)}`, { name: 'second' }, caller.token);
    pathValues = {
      orgId: org.id,
      id: project.id,
      webhookId: await insertWebhookWithDeliveries(t, org.id, 2),
      serviceAccountId: account.id,
    };
  });
  afterAll(() => t.close());

  const urlOf = (path: string) =>
    path
      .replace('/webhooks/{id}', '/webhooks/{webhookId}')
      .replace('/service-accounts/{id}', '/service-accounts/{serviceAccountId}')
      .replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name]);

  describe('forged cursors', () => {
    it('the OpenAPI document has list routes to probe', () => {
      expect(LIST_ROUTES.length).toBeGreaterThanOrEqual(12);
    });

    it.each(LIST_ROUTES)(
      'GET %s answers 400 to every forged cursor, and pages with its own',
      async (path) => {
        const url = urlOf(path);
        const first = await t.get(`${url}?limit=1`, caller.token);
        expect(first.status).toBe(200);
        const forged = { ...FORGED_CURSORS };
        if (first.body.nextCursor) {
          const key = JSON.parse(Buffer.from(first.body.nextCursor, 'base64url').toString('utf8'));
          for (const [name, value] of Object.entries(forgeriesOf(key))) forged[name] = base64Json(value);
          expect((await t.get(`${url}?limit=1&cursor=${first.body.nextCursor}`, caller.token)).status).toBe(
            200,
          );
        }
        const answers: Record<string, string> = {};
        for (const [name, cursor] of Object.entries(forged)) {
          const response = await t.get(`${url}?cursor=${encodeURIComponent(cursor)}`, caller.token);
          answers[name] =
            `${response.status} ${response.body?.code} ${String(response.headers['content-type'])}`;
        }
        const refused = '400 VALIDATION_FAILED application/problem+json; charset=utf-8';
        expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, refused])));
      },
    );
  });

  describe('text that is not text', () => {
    it('a NUL byte in a body field is a 400 naming the field, and nothing is written', async () => {
      const email = `nul-${Date.now()}@example.test`;
      const response = await t.post('/auth/signup', { email, password: 'a long password', name: 'a\u0000b' });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toContainEqual({ path: 'name', message: expect.any(String) });
      expect(await t.sql('select 1 from users where email = ?', [email])).toEqual([]);
    });

    it('an unpaired surrogate in a nested body field is a 400 naming its path, and nothing is written', async () => {
      const response = await t.post(
        '/ontologies',
        { title: 'Lonely', structure: { labels: ['ok', 'half \ud83d'] } },
        caller.token,
      );
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toContainEqual({
        path: 'structure.labels.1',
        message: expect.any(String),
      });
      expect(await t.sql(`select 1 from resources where title = 'Lonely'`)).toEqual([]);
    });

    it('a NUL byte in a query parameter is a 400 naming the parameter', async () => {
      const response = await t.get(`/organizations/${org.id}/members?q=ab%00cd`, caller.token);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toContainEqual({ path: 'q', message: expect.any(String) });
    });

    it('a NUL byte in a path parameter is a 400 naming the parameter', async () => {
      const response = await t.delete(`/platform/organizations/${org.id}/domains/a%00b.test`, caller.token);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toContainEqual({ path: 'domain', message: expect.any(String) });
    });

    it('JSON nested deeper than 64 levels is a 400, and nothing is written', async () => {
      const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
      const response = await t.post('/ontologies', `{"title":"Deep","structure":${deep}}`, caller.token);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(await t.sql(`select 1 from resources where title = 'Deep'`)).toEqual([]);
    });

    it('the deepest ontology structure allowed (32 levels) passes the input guards and is kept', async () => {
      const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { child: nested(depth - 1) });
      const response = await t.post('/ontologies', { title: 'Deep', structure: nested(32) }, caller.token);
      expect(response.status).toBe(201);
      expect(JSON.stringify(response.body.structure)).toBe(JSON.stringify(nested(32)));
    });
  });

  describe('errors of the HTTP layer', () => {
    it('a body of another media type is a 415', async () => {
      const response = await t.request('POST', '/auth/login', {
        body: 'email=a@b.c',
        headers: { 'content-type': 'text/plain' },
      });
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a path with broken percent-encoding is a 400', async () => {
      expectProblem(await t.get('/organizations/%E0%A4%A', caller.token), 400, 'VALIDATION_FAILED');
    });

    it('a method a known path does not take is a 405 naming the methods it takes', async () => {
      const response = await t.put(`/organizations/${org.id}/tags`, { name: 'x' }, caller.token);
      expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
      expect(response.headers.allow).toBe('GET, HEAD, POST');
    });

    it('a 253-character domain is added and removed through its path', async () => {
      const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)}.test`;
      expect(domain).toHaveLength(253);
      const added = await t.post(`/platform/organizations/${org.id}/domains`, { domain }, caller.token);
      expect(added.status).toBe(201);
      const removed = await t.delete(`/platform/organizations/${org.id}/domains/${domain}`, caller.token);
      expect(removed.status).toBe(204);
    });

    it('a path parameter longer than any valid value is a 414', async () => {
      const response = await t.delete(
        `/platform/organizations/${org.id}/domains/${'a'.repeat(600)}`,
        caller.token,
      );
      expectProblem(response, 414, 'URI_TOO_LONG');
    });

    describe('over a real socket', () => {
      let origin: string;
      beforeAll(async () => {
        await t.app.listen({ port: 0, host: '127.0.0.1' });
        origin = await t.app.getUrl();
      });

      it('a URL over 8 KB is a 414', async () => {
        const response = await fetch(`${origin}/organizations?q=${'x'.repeat(10_000)}`);
        expect(response.status).toBe(414);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(((await response.json()) as { code: string }).code).toBe('URI_TOO_LONG');
      });

      it('headers over 16 KB are a 431 in problem details', async () => {
        const raw = await new Promise<string>((resolve, reject) => {
          const { port } = new URL(origin);
          const socket = connect(Number(port), '127.0.0.1', () => {
            socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`);
          });
          let data = '';
          socket.on('data', (chunk) => (data += chunk.toString()));
          socket.on('close', () => resolve(data));
          socket.on('error', reject);
        });
        const [head, body] = raw.split('\r\n\r\n');
        expect(head).toMatch(/^HTTP\/1\.1 431 /);
        expect(head.toLowerCase()).toContain('content-type: application/problem+json');
        expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
      });
    });
  });
});

/** A webhook endpoint with `count` deliveries, written straight to the database: its id. */
async function insertWebhookWithDeliveries(
  t: TestApp,
  organizationId: string,
  count: number,
): Promise<string> {
  const [endpoint] = await t.sql<{ id: string }>(
    `insert into webhook_endpoints (organization_id, url, events, secret_ciphertext)
     values (?, 'https://192.0.2.1/hooks', '{tag.created}', 'v1.x.y.z') returning id`,
    [organizationId],
  );
  for (let i = 0; i < count; i++) {
    const [event] = await t.sql<{ id: string }>(
      `insert into webhook_events (organization_id, type, payload)
       values (?, 'tag.created', jsonb_build_object('type', 'tag.created', 'timestamp', '2026-11-28T00:00:00.000Z',
         'data', jsonb_build_object('organizationId', ?::uuid, 'actorId', null, 'action', 'tag.created',
           'targetType', 'tag', 'targetId', gen_random_uuid(), 'details', '{}'::jsonb)))
       returning id`,
      [organizationId, organizationId],
    );
    await t.sql(
      `insert into webhook_deliveries (organization_id, endpoint_id, event_id, status) values (?, ?, ?, 'failed')`,
      [organizationId, endpoint!.id, event!.id],
    );
  }
  return endpoint!.id;
}
