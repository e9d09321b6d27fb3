import { HttpCall, MatrixSuite, Probe } from './permission-matrix';
import { TestApp } from '../support/test-app';

/** A question of the check API: an action on a target. */
export interface CheckQuestion {
  action: string;
  resource: { type: string; id: string };
}

export interface CheckWalk<World, C extends string> {
  /** The suite of the matrix whose rows, callers, world and probes are walked. */
  suite: MatrixSuite<World, C>;
  /** The question that asks, for each row, what the row's routes do, given the call a probe built. */
  question: (rowId: string, call: HttpCall, world: World) => CheckQuestion;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The id that follows `/<segment>/` in a URL. */
export function idAfter(url: string, segment: string): string | undefined {
  return new RegExp(`/${segment}/(${UUID})`, 'i').exec(url)?.[1];
}

const PERMISSIONS_SEGMENT: Record<string, string> = {
  organization: 'organizations',
  project: 'projects',
  dataset: 'datasets',
  ontology: 'ontologies',
};

/**
 * The permission matrix walked through the check API: for every cell (row, caller, credential,
 * probe), the probe builds its call, the caller asks `POST /authz/check` and `GET .../permissions`
 * about it, then makes the call. The check must answer `allowed` exactly when the route answers 2xx,
 * and the permissions list must name the action exactly then. X (no or bad credentials) gets 401.
 */
export function describeCheckWalk<World, C extends string>(walk: CheckWalk<World, C>): void {
  const { suite } = walk;
  describe(`${suite.title}, asked through the check API`, () => {
    let t: TestApp;
    let world: World;

    beforeAll(async () => {
      t = await TestApp.start();
      world = await suite.buildWorld(t);
    });
    afterAll(() => t?.close());

    for (const row of suite.rows) {
      describe(`${row.action} [${row.id}]`, () => {
        for (const caller of suite.callers) {
          const expectation = row.expected[caller];
          const signedIn = !(!expectation.allowed && expectation.status === 401);
          it(`${caller}: the check API answers what the route does`, async () => {
            const failures: string[] = [];
            for (const probe of suite.probes[row.id] as Probe<World>[]) {
              for (const token of suite.credentials(world, caller)) {
                const call = await probe.call(world, token);
                const question = walk.question(row.id, call, world);
                const check = await t.post('/authz/check', { checks: [question] }, token);
                const segment = PERMISSIONS_SEGMENT[question.resource.type];
                const permissions = await t.get(`/${segment}/${question.resource.id}/permissions`, token);
                const response = await t.request(call.method, call.url, { token, body: call.body });
                const where = `${probe.route} as ${call.method} ${call.url}, asking ${JSON.stringify(question)}`;
                if (!signedIn) {
                  if (check.status !== 401 || permissions.status !== 401)
                    failures.push(
                      `${where}: check ${check.status}, permissions ${permissions.status}, wanted 401`,
                    );
                  continue;
                }
                const routeAllowed = response.status >= 200 && response.status < 300;
                if (check.status !== 200 || check.body.results[0].allowed !== routeAllowed)
                  failures.push(
                    `${where}: route ${response.status}, check ${check.status} ${JSON.stringify(check.body)}`,
                  );
                const listed =
                  permissions.status === 200 &&
                  (permissions.body.actions as string[]).includes(question.action);
                if (listed !== routeAllowed || ![200, 404].includes(permissions.status))
                  failures.push(
                    `${where}: route ${response.status}, permissions ${permissions.status} ${JSON.stringify(permissions.body)}`,
                  );
              }
            }
            expect(failures).toEqual([]);
          });
        }
      });
    }
  });
}
