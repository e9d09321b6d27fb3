import { readFileSync } from 'node:fs';
import { HttpResult, TestApp } from '../support/test-app';

/**
 * The permission matrix as data, turned into tests: a table of rows (one action each, one expected
 * answer per caller code), a world of callers built once per suite, and for each row the HTTP calls
 * ("probes") that perform its action. One `it` per (row, caller), each running every probe of the row.
 *
 * Reused by the organization-level and resource-level tables: each provides its CSV, its callers and
 * its probes; this file knows nothing about either.
 */

/** One cell: allowed (with an optional note such as `all` or `only theirs`), or refused. */
export type Expectation = { allowed: true; note?: string } | { allowed: false; status: number; code: string };

export interface MatrixRow<C extends string> {
  /** Stable key, used to find the row's probes. */
  id: string;
  /** The action as permissions.md words it. */
  action: string;
  expected: Record<C, Expectation>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpCall {
  method: HttpMethod;
  url: string;
  body?: unknown;
}

export interface Probe<World> {
  /** The route as the API documents it, e.g. `DELETE /organizations/{orgId}/members/{userId}`. */
  route: string;
  /** The answer when the caller is allowed. */
  okStatus: number;
  /**
   * Builds the call, first creating whatever the call uses up (a fresh member to remove, a fresh
   * group to delete), so that every test stands alone whatever ran before it. `token` is the
   * credential the call will be made with, for actions on oneself (leaving a resource).
   */
  call: (world: World, token: string | undefined) => Promise<HttpCall> | HttpCall;
  /**
   * The same route with the ids of another tenant in this tenant's path. Never served: the
   * generator expects 404 for each of the suite's `crossTenantCallers`.
   */
  crossTenant?: (world: World, token: string | undefined) => Promise<HttpCall> | HttpCall;
  /**
   * Further checks of an allowed answer, e.g. that a list holds what the cell's note says
   * (`ok: all`, `ok: only theirs`). Throw (or fail an `expect`) to report a mismatch.
   */
  verifyAllowed?: (
    response: HttpResult,
    context: { world: World; caller: string; note?: string },
  ) => void | Promise<void>;
}

export interface MatrixSuite<World, C extends string> {
  title: string;
  callers: readonly C[];
  rows: readonly MatrixRow<C>[];
  /** Probes of each row, by row id. */
  probes: Readonly<Record<string, readonly Probe<World>[]>>;
  /** The target and one caller per code, built once for the suite. */
  buildWorld: (t: TestApp) => Promise<World>;
  /**
   * The credentials a caller presents: each is tried in turn. `undefined` is no Authorization header;
   * a caller without credentials (X) typically tries none, a garbage token and a deleted user's token.
   */
  credentials: (world: World, caller: C) => readonly (string | undefined)[];
  /** Callers who try the cross-tenant calls; their tenant's path, the other tenant's ids. */
  crossTenantCallers?: readonly C[];
  /**
   * Routes of the OpenAPI document under these path prefixes must each be some probe's `route`, or
   * be exempted with the reason: a new route cannot slip in without a row of the table.
   */
  routeCoverage?: { prefixes: readonly string[]; exempt?: Readonly<Record<string, string>> };
}

const DEFAULT_CODES: Readonly<Record<number, string>> = {
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
};

/** `ok`, `ok: only theirs`, `403`, `404`, `409 ADMIN_NOT_REMOVABLE`, `403 JOIN_REQUIRED`... */
export function parseExpectation(cell: string): Expectation {
  const text = cell.trim();
  const allowed = /^ok(?::\s*(.+))?$/.exec(text);
  if (allowed) return allowed[1] ? { allowed: true, note: allowed[1] } : { allowed: true };
  const refused = /^(\d{3})(?:\s+([A-Z][A-Z_]*))?$/.exec(text);
  const status = refused ? Number(refused[1]) : NaN;
  const code = refused?.[2] ?? DEFAULT_CODES[status];
  if (!refused || !code)
    throw new Error(`matrix cell "${cell}" is not ok[: note], a status, or a status and code`);
  return { allowed: false, status, code };
}

/** A CSV table `id,action,<caller codes...>`; fields with commas are double-quoted. */
export function readMatrix<C extends string>(path: string, callers: readonly C[]): MatrixRow<C>[] {
  const [header, ...lines] = parseCsv(readFileSync(path, 'utf8'));
  const expectedHeader = ['id', 'action', ...callers];
  if (JSON.stringify(header) !== JSON.stringify(expectedHeader))
    throw new Error(`${path}: header must be ${expectedHeader.join(',')}, found ${header?.join(',')}`);
  return lines.map((cells, index) => {
    if (cells.length !== header.length)
      throw new Error(`${path}: row ${index + 2} has ${cells.length} cells`);
    const [id, action, ...answers] = cells;
    const expected = Object.fromEntries(callers.map((c, i) => [c, parseExpectation(answers[i])]));
    return { id, action, expected: expected as Record<C, Expectation> };
  });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i];
      if (quoted && char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = !quoted;
      } else if (char === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else {
        cell += char;
      }
    }
    if (quoted) throw new Error(`unterminated quote in CSV line: ${line}`);
    cells.push(cell);
    rows.push(cells.map((c) => c.trim()));
  }
  return rows;
}

export const describeExpectation = (expectation: Expectation): string =>
  expectation.allowed
    ? `allowed${expectation.note ? ` (${expectation.note})` : ''}`
    : `${expectation.status} ${expectation.code}`;

/** What went wrong with one answer, or undefined when it is what the table says. */
function mismatch(
  call: HttpCall,
  probe: Probe<unknown>,
  token: string | undefined,
  expectation: Expectation,
  response: HttpResult,
): string | undefined {
  const wantStatus = expectation.allowed ? probe.okStatus : expectation.status;
  const wantCode = expectation.allowed ? undefined : expectation.code;
  const gotCode = (response.body as { code?: string } | undefined)?.code;
  if (response.status === wantStatus && (wantCode === undefined || gotCode === wantCode)) return undefined;
  const credential = token === undefined ? 'no token' : 'token';
  return (
    `${probe.route} as ${call.method} ${call.url} (${credential}): expected ${wantStatus}${wantCode ? ` ${wantCode}` : ''}, ` +
    `got ${response.status}${gotCode ? ` ${gotCode}` : ''}: ${JSON.stringify(response.body)}`
  );
}

/**
 * Declares the suite: a `describe` per row with one `it` per caller, plus the cross-tenant cases
 * and a check that table and probes name the same rows.
 */
export function describeMatrix<World, C extends string>(suite: MatrixSuite<World, C>): void {
  describe(suite.title, () => {
    let t: TestApp;
    let world: World;

    beforeAll(async () => {
      t = await TestApp.start();
      world = await suite.buildWorld(t);
    });
    afterAll(() => t?.close());

    const run = async (build: Probe<World>['call'], token: string | undefined) => {
      const call = await build(world, token);
      const response = await t.request(call.method, call.url, { token, body: call.body });
      return { call, response };
    };

    it('the table and the probes name the same rows, and every row has probes', () => {
      const rowIds = suite.rows.map((row) => row.id).sort();
      expect(Object.keys(suite.probes).sort()).toEqual(rowIds);
      for (const id of rowIds)
        expect({ id, probes: suite.probes[id].length > 0 }).toEqual({ id, probes: true });
    });

    if (suite.routeCoverage) {
      const { prefixes, exempt = {} } = suite.routeCoverage;
      it(`every documented route under ${prefixes.join(', ')} is probed by a row of the table`, async () => {
        const probed = new Set(Object.values(suite.probes).flatMap((probes) => probes.map((p) => p.route)));
        const documented = await documentedRoutes(t, prefixes);
        expect(documented.filter((route) => !probed.has(route) && !(route in exempt))).toEqual([]);
        expect([...probed].filter((route) => !documented.includes(route))).toEqual([]);
      });
    }

    for (const row of suite.rows) {
      describe(`${row.action} [${row.id}]`, () => {
        for (const caller of suite.callers) {
          const expectation = row.expected[caller];
          it(`${caller}: ${describeExpectation(expectation)}`, async () => {
            const failures: string[] = [];
            for (const probe of suite.probes[row.id] ?? []) {
              for (const token of suite.credentials(world, caller)) {
                const { call, response } = await run(probe.call, token);
                const failure = mismatch(call, probe as Probe<unknown>, token, expectation, response);
                if (failure) failures.push(failure);
                else if (expectation.allowed && probe.verifyAllowed)
                  await probe.verifyAllowed(response, { world, caller, note: expectation.note });
              }
            }
            expect(failures).toEqual([]);
          });
        }
      });
    }

    const crossTenant = suite.rows.flatMap((row) =>
      (suite.probes[row.id] ?? [])
        .map((probe, index, all) => ({
          row,
          probe,
          // Several probes of one row may share a route: number them so each test has its own name.
          label:
            all.filter((p) => p.route === probe.route).length > 1
              ? `${probe.route} #${index + 1}`
              : probe.route,
        }))
        .filter(({ probe }) => probe.crossTenant),
    );
    if (crossTenant.length > 0 && suite.crossTenantCallers?.length) {
      describe("another tenant's ids through this tenant's path are never served", () => {
        for (const { row, probe, label } of crossTenant) {
          for (const caller of suite.crossTenantCallers ?? []) {
            it(`${caller}: ${label} [${row.id}] answers 404`, async () => {
              const notFound: Expectation = { allowed: false, status: 404, code: 'NOT_FOUND' };
              const failures: string[] = [];
              for (const token of suite.credentials(world, caller)) {
                const { call, response } = await run(probe.crossTenant!, token);
                const failure = mismatch(call, probe as Probe<unknown>, token, notFound, response);
                if (failure) failures.push(failure);
              }
              expect(failures).toEqual([]);
            });
          }
        }
      });
    }
  });
}

/** Every route of the OpenAPI document under these prefixes, as `METHOD /path/{param}`. */
export async function documentedRoutes(t: TestApp, prefixes: readonly string[]): Promise<string[]> {
  const document = await t.get('/docs/openapi.json');
  const routes: string[] = [];
  for (const [path, operations] of Object.entries(document.body.paths as Record<string, object>)) {
    if (!prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) continue;
    for (const method of Object.keys(operations)) routes.push(`${method.toUpperCase()} ${path}`);
  }
  return routes.sort();
}
