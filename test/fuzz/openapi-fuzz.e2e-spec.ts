import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import openapi from '../../openapi/openapi.json';
import { createMember, createOrganization } from '../factories/organizations.factory';
import { insertNotification, insertResource } from '../factories/resources.factory';
import { createPlatformAdmin } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

/**
 * Property: whatever a client sends to any operation of the OpenAPI document, the answer is never a
 * 5xx, every error is problem details with a `code`, and the service stays healthy. Requests are
 * generated from the document's own schemas, valid-ish and hostile, with a fixed seed so that a
 * failure replays; every finding is fixed in the code, never filtered out here.
 */
const SEED = 20261128;
const RUNS_PER_OPERATION = 45;

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
};
type Parameter = { name: string; in: 'path' | 'query'; required?: boolean; schema: Schema };
type Operation = {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
  /** How the body is sent: JSON, or a form for the OAuth token endpoint. */
  bodyMediaType: string;
  /** The media types of each declared error status: problem details, SCIM's, or RFC 6749's `application/json`. */
  errorMediaTypes: Record<string, string[]>;
};

const document = openapi as unknown as {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: any; responses?: any }>>;
  components: { schemas: Record<string, Schema> };
};

const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(document.components.schemas[schema.$ref.split('/').pop()!]) : schema;

const OPERATIONS: Operation[] = Object.entries(document.paths).flatMap(([path, operations]) =>
  Object.entries(operations).map(([method, operation]) => {
    const [bodyMediaType = 'application/json', media] = Object.entries<any>(
      operation.requestBody?.content ?? {},
    )[0] ?? [undefined, undefined];
    return {
      method: method.toUpperCase(),
      path,
      parameters: operation.parameters ?? [],
      body: media?.schema,
      bodyMediaType,
      errorMediaTypes: Object.fromEntries(
        Object.entries<any>(operation.responses ?? {}).map(([status, response]) => [
          status,
          Object.keys(response.content ?? {}),
        ]),
      ),
    };
  }),
);

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Strings that have broken services: storage, encoding, injection, size, lookalikes. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\u202e\u0301',
  '😀',
  'x'.repeat(5000),
  'é'.repeat(300),
  "' or 1=1 --",
  '%',
  '%00',
  '../../etc/passwd',
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e999',
  '0x10',
  'true',
  'null',
  '00000000-0000-0000-0000-00000000000g',
  '2026-02-30T25:61:00.000000Z',
  base64Json(['a', 'b']),
  base64Json([1, 2]),
  base64Json(['2026-02-30 25:00:00+00', '3f2504e0-4f89-41d3-9a0c-0305e82c3301']),
  base64Json(['x\u0000', '3f2504e0-4f89-41d3-9a0c-0305e82c3301']),
];

/** Percent-encodings that are not UTF-8 or not encodings at all, sent as they are. */
const RAW_URL_FRAGMENTS = [
  '%ED%A0%80',
  '%FF',
  '%E0%A4%A',
  '%',
  '%%',
  '%C0%80',
  '%00',
  'a%2Fb',
  'x'.repeat(700),
];

const deep = (depth: number, leaf: unknown = 1): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner) => ({ a: inner }), leaf);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e308, -1e308, [], {}, [null], { '': 1 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.integer({ min: 30, max: 2000 }).map((depth) => deep(depth)),
  fc.integer({ min: 30, max: 2000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
  fc.array(fc.constantFrom(...HOSTILE_STRINGS), { maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.object({ maxDepth: 3 }),
);

/** A value for the schema: usually well-typed, sometimes hostile. */
function valueOf(schema: Schema, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  return fc.oneof(
    { weight: 3, arbitrary: wellTypedValueOf(s, ids, depth) },
    { weight: 1, arbitrary: hostileValue },
  );
}

function wellTypedValueOf(s: Schema, ids: string[], depth: number): fc.Arbitrary<unknown> {
  if (s.enum) return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...ids), fc.uuid());
      if (s.format === 'email')
        return fc.oneof(fc.emailAddress(), fc.constantFrom('a@b.test', 'root@platform.test', 'x@gmail.com'));
      return fc.oneof(
        fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 40) }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.domain(),
      );
    case 'number':
    case 'integer':
      return fc.oneof(
        fc.integer({ min: s.minimum ?? -5, max: s.maximum ?? 1000 }),
        fc.double({ noNaN: false }),
      );
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(s.items ? valueOf(s.items, ids, depth + 1) : hostileValue, { maxLength: 5 });
    case 'object': {
      if (!s.properties || depth > 3) return fc.object({ maxDepth: 2 });
      const properties = Object.fromEntries(
        Object.entries(s.properties).map(([name, property]) => [name, valueOf(property, ids, depth + 1)]),
      );
      return fc
        .tuple(
          fc.record(properties, { requiredKeys: s.required ?? [] }),
          fc.option(fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 2 }), { freq: 5 }),
        )
        .map(([known, extra]) => ({ ...known, ...(extra ?? {}) }));
    }
    default:
      return hostileValue;
  }
}

/** Bytes percent-encoded unless unreserved: any string, lone surrogates included, becomes a URL part. */
const urlEncode = (value: unknown) =>
  [...Buffer.from(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

const urlPart = (schema: Schema, ids: string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: valueOf(schema, ids).map(urlEncode) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_FRAGMENTS) },
  );

const FORM = 'application/x-www-form-urlencoded';

/** An object as a form (each value percent-encoded, arrays as repeated fields); anything else as one encoded text. */
const formEncode = (value: unknown) =>
  typeof value === 'object' && value !== null
    ? Object.entries(value)
        .flatMap(([name, field]) =>
          (Array.isArray(field) ? field : [field]).map((item) => `${urlEncode(name)}=${urlEncode(item)}`),
        )
        .join('&')
    : urlEncode(value);

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

describe('OpenAPI fuzz', () => {
  let t: TestApp;
  let tokens: string[];
  let idsByParameter: Record<string, string[]>;
  let allIds: string[];
  let requests = 0;

  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  /**
   * A fresh organization with a member, a project, a dataset, an ontology, a notification, a group
   * and a tag, all administered by a platform admin: each operation is fuzzed against its own, so
   * that a DELETE fuzzed earlier leaves nothing missing for the next operation.
   */
  const seedWorld = async () => {
    const caller = await createPlatformAdmin(t);
    const domain = `fuzz-${randomBytes(4).toString('hex')}.test`;
    const org = await createOrganization(t, { admin: caller, domains: [domain] });
    const other = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const resources = await Promise.all(
      (['project', 'dataset', 'ontology'] as const).map((kind) =>
        insertResource(t, { kind, ownerId: caller.id, organizationId: org.id }),
      ),
    );
    const notification = await insertNotification(t, resources[0].id, [member.id]);
    const group = (await t.post(`/organizations/${org.id}/groups`, { name: 'Fuzzers' }, caller.token)).body;
    const tag = (await t.post(`/organizations/${org.id}/tags`, { name: 'fuzzed' }, caller.token)).body;
    tokens = [caller.token, member.token, other.admin.token];
    idsByParameter = {
      orgId: [org.id, other.id],
      id: resources.map((r) => r.id),
      userId: [member.id, caller.id],
      groupId: [group.id],
      tagId: [tag.id],
      datasetId: [resources[1].id],
      notificationId: [notification.id],
      domain: [domain],
    };
    allIds = Object.values(idsByParameter).flat();
  };

  const requestFor = (operation: Operation): fc.Arbitrary<FuzzRequest> => {
    const pathParameters = operation.parameters.filter((p) => p.in === 'path');
    const queryParameters = operation.parameters.filter((p) => p.in === 'query');
    const path = fc.tuple(
      ...pathParameters.map((p) =>
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...(idsByParameter[p.name] ?? allIds)) },
          { weight: 1, arbitrary: urlPart(p.schema, allIds) },
        ),
      ),
    );
    const query = fc.tuple(
      ...queryParameters.map((p) =>
        fc.option(fc.array(urlPart(p.schema, allIds), { minLength: 1, maxLength: 2 }), { freq: 2 }),
      ),
    );
    const body = operation.body
      ? fc.oneof(
          {
            weight: 6,
            arbitrary: valueOf(operation.body, allIds).map((value) =>
              operation.bodyMediaType === FORM ? formEncode(value) : (JSON.stringify(value) ?? 'null'),
            ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '',
              '{"a":',
              'null',
              '"text"',
              '{"__proto__":{"isPlatformAdmin":true}}',
              '{"constructor":{"prototype":{"x":1}}}',
              `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
              `{"title":"x","structure":${JSON.stringify(deep(100))}}`,
            ),
          },
        )
      : fc.option(fc.constantFrom('{}', 'x'), { freq: 8 });
    return fc
      .record({
        method: fc.oneof(
          { weight: 12, arbitrary: fc.constant(operation.method) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
          },
        ),
        path,
        query,
        body,
        contentType: fc.oneof(
          { weight: 10, arbitrary: fc.constant(operation.bodyMediaType) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/xml',
              'application/json; charset=latin1',
              '',
            ),
          },
        ),
        token: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...tokens) },
          { weight: 1, arbitrary: fc.constantFrom('', 'not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.e30.') },
        ),
      })
      .map(({ method, path: values, query: queryValues, body: payload, contentType, token }) => {
        let index = 0;
        const url = operation.path.replace(/\{\w+\}/g, () => values[index++]);
        const search = queryParameters
          .flatMap((p, i) => (queryValues[i] ?? []).map((value) => `${p.name}=${value}`))
          .join('&');
        const headers: Record<string, string> = {};
        if (token) headers.authorization = `Bearer ${token}`;
        if (payload !== null && payload !== undefined && contentType) headers['content-type'] = contentType;
        return {
          method,
          url: search ? `${url}?${search}` : url,
          headers,
          ...(payload !== null && payload !== undefined ? { payload } : {}),
        };
      });
  };

  it.each(OPERATIONS.map((o) => [`${o.method} ${o.path}`, o] as const))(
    '%s never answers 5xx, and every error is in the format it declares (problem details, SCIM, RFC 6749)',
    async (_name, operation) => {
      await seedWorld();
      await fc.assert(
        fc.asyncProperty(requestFor(operation), async (request) => {
          requests++;
          const response = await t.inject({
            method: request.method as 'GET',
            url: request.url,
            headers: request.headers,
            payload: request.payload,
          });
          const summary = `${request.method} ${request.url.slice(0, 300)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
          expect([summary, response.statusCode < 500]).toEqual([summary, true]);
          const declared = operation.errorMediaTypes[String(response.statusCode)] ?? [];
          if (
            response.statusCode >= 400 &&
            request.method === operation.method &&
            declared.includes('application/json')
          ) {
            expect([summary, String(response.headers['content-type'])]).toEqual([
              summary,
              expect.stringMatching(/^application\/json/),
            ]);
            expect([summary, typeof response.json().error]).toEqual([summary, 'string']);
          } else if (response.statusCode >= 400 && request.method !== 'HEAD') {
            // Problem details, or the error format the operation declares (SCIM's, for /scim/v2).
            const contentType = String(response.headers['content-type']).split(';')[0];
            const allowed = declared.length > 0 ? declared : ['application/problem+json'];
            expect([summary, allowed]).toEqual([
              summary,
              expect.arrayContaining([contentType]),
            ]);
            expect([summary, typeof response.json().code]).toEqual([summary, 'string']);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
    },
  );

  it('sent at least 2,000 requests, and the service is still healthy', async () => {
    expect(requests).toBeGreaterThanOrEqual(2000);
    const health = await t.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', database: 'up' });
  });
});
