import { EntityManager } from '@mikro-orm/core';
import { ValidationPipe } from '@nestjs/common';
import { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer';
import { Client } from 'pg';
import { createMember, createOrganization } from '../factories/organizations.factory';
import { createGroup } from '../factories/groups.factory';
import { addCollaborator, createResource, giveGroupRole } from '../factories/resources.factory';
import { createPlatformAdmin } from '../factories/users.factory';
import { nodesOf, PlanNode } from '../support/query-plan';
import { statementsSentWhile } from '../support/sent-statements';
import { TestApp } from '../support/test-app';
import { PolicyGuard } from '../../src/policy/policy.guard';

/**
 * What the hot read paths do per request, beyond their answer: work that costs CPU on every request
 * and that no answer needs. Counted, never timed.
 */
describe('Read path work', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  async function forksWhile(run: () => Promise<unknown>): Promise<number> {
    const spy = jest.spyOn(EntityManager.prototype, 'fork');
    try {
      await run();
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  /** The statements the app sends to PostgreSQL while `run` runs, counted at the driver. */
  async function statementsWhile(run: () => Promise<unknown>): Promise<string[]> {
    return (await statementsSentWhile(run)).statements.map((statement) => statement.text);
  }

  it('opening a project is one statement: the policy guard loads the project with its scope', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const project = await createResource(t, org.admin, 'project');
    await addCollaborator(t, project.id, member.id, 'annotator');

    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (await t.get(`/projects/${project.id}`, member.token)).status;
    });
    expect(status).toBe(200);
    expect(statements).toHaveLength(1);
  });

  it.each([
    ['members', '?limit=10'],
    ['the autocomplete', '?q=ad&limit=10'],
  ])('listing %s is one statement: the policy guard loads the page with its scope', async (_, query) => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');

    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (await t.get(`/organizations/${org.id}/members${query}`, member.token)).status;
    });
    expect(status).toBe(200);
    expect(statements).toHaveLength(1);
  });

  it("the autocomplete validates its query once: the route's pipe takes the guard's validated query", async () => {
    const org = await createOrganization(t);
    // `validate` is protected: the spy reaches it as the pipe calls it.
    const pipe = ValidationPipe.prototype as unknown as { validate: (...args: unknown[]) => unknown };
    const spy = jest.spyOn(pipe, 'validate');
    try {
      expect((await t.get(`/organizations/${org.id}/members?q=ad&limit=10`, org.admin.token)).status).toBe(
        200,
      );
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  /**
   * The plan of a statement the app sent, prepared as it was and executed with its values: its
   * generic plan with `generic`, what it did with `analyze`.
   */
  async function planOfSent(
    statement: { text: string; values: unknown[] },
    options: { analyze?: boolean; generic?: boolean },
  ): Promise<PlanNode & { 'Plan Rows': number }> {
    const knex = t.orm.em.getConnection().getKnex();
    const connection = (await knex.client.acquireConnection()) as Client;
    try {
      await connection.query(`prepare sent_statement as ${statement.text}`);
      if (options.generic) await connection.query('set plan_cache_mode = force_generic_plan');
      const values = statement.values.map((value) => connection.escapeLiteral(String(value))).join(', ');
      const { rows } = await connection.query<{
        'QUERY PLAN': [{ Plan: PlanNode & { 'Plan Rows': number } }];
      }>(`explain (${options.analyze ? 'analyze, ' : ''}format json) execute sent_statement(${values})`);
      return rows[0]['QUERY PLAN'][0].Plan;
    } finally {
      await connection.query('deallocate sent_statement');
      await connection.query('reset plan_cache_mode');
      await knex.client.releaseConnection(connection);
    }
  }

  /** The member_search_words scans PostgreSQL ran for the statement: their loops, from `explain analyze`. */
  async function searchScansRun(statement: { text: string; values: unknown[] }): Promise<number> {
    return nodesOf(await planOfSent(statement, { analyze: true }))
      .filter((node) => node['Relation Name'] === 'member_search_words')
      .reduce((loops, node) => loops + (node['Actual Loops'] ?? 0), 0);
  }

  it.each([
    ['an external user of the organization', 'external', 403],
    ['an admin of another organization', 'outsider', 404],
  ] as const)(
    'the autocomplete asked by %s, whom the rules refuse, searches nothing: the guard runs the page only for callers who pass',
    async (_, who, refusal) => {
      const org = await createOrganization(t);
      await createMember(t, org.id, 'member', 'Ada Lovelace');
      const caller =
        who === 'outsider' ? (await createOrganization(t)).admin : await createMember(t, org.id, who);
      const search = async (token: string, status: number) => {
        const { statements } = await statementsSentWhile(async () => {
          expect((await t.get(`/organizations/${org.id}/members?q=ad&limit=10`, token)).status).toBe(status);
        });
        expect(statements).toHaveLength(1);
        return searchScansRun(statements[0]);
      };

      expect(await search(org.admin.token, 200)).toBeGreaterThan(0);
      expect(await search(caller.token, refusal)).toBe(0);
    },
  );

  describe("an organization's project list is one statement: the guard loads the page with its scope", () => {
    let org: Awaited<ReturnType<typeof createOrganization>>;
    let member: Awaited<ReturnType<typeof createMember>>;
    let tag: string;
    beforeAll(async () => {
      org = await createOrganization(t);
      member = await createMember(t, org.id, 'member');
      tag = (await t.post(`/organizations/${org.id}/tags`, { name: 'Loaded' }, org.admin.token)).body.id;
      // Newest first: the member's through a group, one not theirs, two of their own.
      const group = await createGroup(t, org.id, { memberIds: [member.id] });
      for (const held of ['directly', 'directly', 'not', 'through a group']) {
        const project = await createResource(t, org.admin, 'project');
        if (held === 'directly') await addCollaborator(t, project.id, member.id, 'annotator');
        if (held === 'through a group') await giveGroupRole(t, project.id, group.id, 'reviewer');
        const tagged = await t.post(`/projects/${project.id}/tags`, { tagId: tag }, org.admin.token);
        expect(tagged.status).toBeLessThan(300);
      }
    });

    // With tags, two: the tag filter's page is planned at every execution, and a loading statement
    // would plan every relation's branch of it (resourcePageInScope).
    it.each([
      ['an admin', 'admin', '?limit=2', 1],
      ['a member', 'member', '?limit=2', 1],
      ['an admin, with tags', 'admin', '?limit=2&tags=TAG', 2],
      ['a member, with tags', 'member', '?limit=2&tags=TAG', 2],
    ] as const)('listed by %s, pages 1 and 2', async (_, who, query, statementCount) => {
      const token = who === 'admin' ? org.admin.token : member.token;
      const path = `/organizations/${org.id}/projects${query.replace('TAG', tag)}`;
      let first: { items: unknown[]; nextCursor: string | null } = { items: [], nextCursor: null };
      const firstStatements = await statementsWhile(async () => {
        const response = await t.get(path, token);
        expect(response.status).toBe(200);
        first = response.body;
      });
      expect(first.items).toHaveLength(2);
      expect(firstStatements).toHaveLength(statementCount);

      const nextStatements = await statementsWhile(async () => {
        const response = await t.get(`${path}&cursor=${first.nextCursor}`, token);
        expect(response.status).toBe(200);
        expect(response.body.items).toHaveLength(who === 'admin' ? 2 : 1);
      });
      expect(nextStatements).toHaveLength(statementCount);
    });

    it.each([
      ['an admin', 'admin'],
      ['a member', 'member'],
    ] as const)(
      "listed by %s, the page loaded with the scope answers as the route's own statement does",
      async (_, who) => {
        const token = who === 'admin' ? org.admin.token : member.token;
        const pages = async (query: string) => {
          const first = await t.get(`/organizations/${org.id}/projects${query}`, token);
          const next = await t.get(
            `/organizations/${org.id}/projects${query}&cursor=${first.body.nextCursor}`,
            token,
          );
          // As sent: key order and values (JSON.parse keeps both).
          return [JSON.stringify(first.body), JSON.stringify(next.body)];
        };
        for (const query of ['?limit=2', `?limit=2&tags=${tag}`]) {
          const loaded = await pages(query);
          // As with replicas: the route reads its page itself.
          const guard = PolicyGuard.prototype as unknown as { loadsInScope: () => boolean };
          const spy = jest.spyOn(guard, 'loadsInScope').mockReturnValue(false);
          try {
            expect(loaded).toEqual(await pages(query));
          } finally {
            spy.mockRestore();
          }
        }
      },
    );
  });

  it("the project list validates its query once: the route's pipe takes the guard's validated query", async () => {
    const org = await createOrganization(t);
    const pipe = ValidationPipe.prototype as unknown as { validate: (...args: unknown[]) => unknown };
    const spy = jest.spyOn(pipe, 'validate');
    try {
      expect((await t.get(`/organizations/${org.id}/projects?limit=10`, org.admin.token)).status).toBe(200);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it.each([
    ['an external user of the organization', 'external', 403],
    ['a workforce user of the organization', 'workforce', 403],
    ['an admin of another organization', 'outsider', 404],
  ] as const)(
    'the project list asked by %s, whom the rules refuse, scans no project: the guard runs the page only for callers who pass',
    async (_, who, refusal) => {
      const org = await createOrganization(t);
      await createResource(t, org.admin, 'project');
      const caller =
        who === 'outsider' ? (await createOrganization(t)).admin : await createMember(t, org.id, who);
      const projectScans = async (token: string, status: number) => {
        const { statements } = await statementsSentWhile(async () => {
          expect((await t.get(`/organizations/${org.id}/projects?limit=10`, token)).status).toBe(status);
        });
        expect(statements).toHaveLength(1);
        return nodesOf(await planOfSent(statements[0], { analyze: true }))
          .filter((node) => node['Relation Name'] === 'resources')
          .reduce((loops, node) => loops + (node['Actual Loops'] ?? 0), 0);
      };

      expect(await projectScans(org.admin.token, 200)).toBeGreaterThan(0);
      expect(await projectScans(caller.token, refusal)).toBe(0);
    },
  );

  it('opening a project forks no entity manager: a read that only runs SQL needs no unit of work', async () => {
    const org = await createOrganization(t);
    const member = await createMember(t, org.id, 'member');
    const project = await createResource(t, org.admin, 'project');
    await addCollaborator(t, project.id, member.id, 'annotator');

    let status = 0;
    const forks = await forksWhile(async () => {
      status = (await t.get(`/projects/${project.id}`, member.token)).status;
    });
    expect(status).toBe(200);
    expect(forks).toBe(0);
  });

  it.each([
    ['members', (org: string) => `/organizations/${org}/members?limit=10`],
    ['the autocomplete', (org: string) => `/organizations/${org}/members?q=ad&limit=10`],
    ['invitations', (org: string) => `/organizations/${org}/invitations?limit=10`],
    ['the audit log', (org: string) => `/organizations/${org}/audit-events?limit=10`],
    ['projects', (org: string) => `/organizations/${org}/projects?limit=10`],
    ['my organizations', () => `/organizations?limit=10`],
  ])('listing %s forks no entity manager: a page is plain SQL', async (_, path) => {
    const org = await createOrganization(t);
    await createResource(t, org.admin, 'project');

    let status = 0;
    const forks = await forksWhile(async () => {
      status = (await t.get(path(org.id), org.admin.token)).status;
    });
    expect(status).toBe(200);
    expect(forks).toBe(0);
  });

  it("listing the platform's organizations forks no entity manager", async () => {
    await createOrganization(t);
    const operator = await createPlatformAdmin(t);

    let status = 0;
    const forks = await forksWhile(async () => {
      status = (await t.get('/platform/organizations?limit=10', operator.token)).status;
    });
    expect(status).toBe(200);
    expect(forks).toBe(0);
  });

  it("the project list's statement gives PostgreSQL its page size: a generic plan of it is costed as a page, so PostgreSQL may keep one", async () => {
    const org = await createOrganization(t);
    await t.sql(
      `insert into resources (id, kind, organization_id, owner_id, title, created_at, updated_at)
       select gen_random_uuid(), 'project', ?, ?, 'project ' || i, clock_timestamp(), clock_timestamp()
         from generate_series(1, 2000) i`,
      [org.id, org.admin.id],
    );
    await t.sql('analyze resources');
    const [listed] = (
      await statementsSentWhile(async () => {
        expect((await t.get(`/organizations/${org.id}/projects?limit=50`, org.admin.token)).status).toBe(200);
      })
    ).statements.filter((query) => query.text.includes('from resources r'));

    // A bound limit is a tenth of the rows to the planner of a generic plan: 200 here, not 51.
    const limits = nodesOf(await planOfSent(listed, { generic: true })).filter(
      (node) => node['Node Type'] === 'Limit',
    ) as (PlanNode & { 'Plan Rows': number })[];
    expect(limits.length).toBeGreaterThan(0);
    for (const limit of limits) expect(limit['Plan Rows']).toBeLessThanOrEqual(51);
  });

  it('opening a project runs through no interceptor: without replicas, no route needs one', async () => {
    const org = await createOrganization(t);
    const project = await createResource(t, org.admin, 'project');
    const spy = jest.spyOn(InterceptorsConsumer.prototype, 'intercept');
    try {
      expect((await t.get(`/projects/${project.id}`, org.admin.token)).status).toBe(200);
      expect(spy.mock.calls.map(([interceptors]) => interceptors.length)).toEqual([0]);
    } finally {
      spy.mockRestore();
    }
  });
});
