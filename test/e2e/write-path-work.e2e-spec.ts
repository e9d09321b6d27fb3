import { createOrganization, membersUrl } from '../factories/organizations.factory';
import { createResource, createTag } from '../factories/resources.factory';
import { uniqueEmail } from '../factories/users.factory';
import { Client } from 'pg';
import { statementsSentWhile } from '../support/sent-statements';
import { TestApp } from '../support/test-app';

/**
 * What the hot write paths send to PostgreSQL per request: each round trip (a BEGIN and a COMMIT
 * are two) costs both processes CPU under load. Counted, never timed.
 */
describe('Write path work', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  /** The statements the app sends to PostgreSQL while `run` runs, counted at the driver. */
  async function statementsWhile(run: () => Promise<unknown>): Promise<string[]> {
    return (await statementsSentWhile(run)).statements.map((statement) => statement.text);
  }

  it('creating a project is two statements: the caller, then the project with its admin, quota and event', async () => {
    const org = await createOrganization(t);
    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (await t.post('/projects', { title: 'Counted' }, org.admin.token)).status;
    });
    expect(status).toBe(201);
    expect(statements).toHaveLength(2);
  });

  it('tagging a project is two statements: the scope, then the tagging with its event', async () => {
    const org = await createOrganization(t);
    const project = await createResource(t, org.admin, 'project');
    const tagId = await createTag(t, org.id);
    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (await t.post(`/projects/${project.id}/tags`, { tagId }, org.admin.token)).status;
    });
    expect(status).toBe(201);
    expect(statements).toHaveLength(2);
  });

  it('adding a member by a new email is two statements and no transaction: the scope, then the user, membership, invitation and event', async () => {
    const org = await createOrganization(t);
    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (await t.post(membersUrl(org), { email: uniqueEmail(), type: 'member' }, org.admin.token))
        .status;
    });
    expect(status).toBe(201);
    expect(statements).toHaveLength(2);
    expect(statements.filter((text) => /^\s*(begin|commit)/i.test(text))).toEqual([]);
  });

  it.each([
    [1, 2],
    [3, 2],
  ])(
    'inviting %i new outside emails to a project is %i statements whatever their number and no transaction: the scope, then the project with its people, their memberships, invitations and collaborators and the events',
    async (emails, count) => {
      const org = await createOrganization(t);
      const project = await createResource(t, org.admin, 'project');
      let status = 0;
      const statements = await statementsWhile(async () => {
        status = (
          await t.post(
            `/projects/${project.id}/collaborators`,
            { emails: Array.from({ length: emails }, () => uniqueEmail('outside.test')), role: 'annotator' },
            org.admin.token,
          )
        ).status;
      });
      expect(status).toBe(201);
      expect(statements).toHaveLength(count);
      expect(statements[1]).toMatch(/^with resource as/);
    },
  );

  it('the invitation statement keeps a generic plan: PostgreSQL plans it once per connection, not at every invitation', async () => {
    const org = await createOrganization(t);
    const project = await createResource(t, org.admin, 'project');
    const { statements } = await statementsSentWhile(() =>
      t.post(
        `/projects/${project.id}/collaborators`,
        { emails: [uniqueEmail('outside.test')], role: 'annotator' },
        org.admin.token,
      ),
    );
    const invite = statements.find((statement) => /^with resource as/.test(statement.text))!;
    // Run as the app's connections run it, new emails each time, in a transaction rolled back.
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      await client.query('begin');
      for (let run = 0; run < 7; run++) {
        const values = [...invite.values];
        values[2] = [uniqueEmail('outside.test')];
        await client.query({ name: 'invite-plan', text: invite.text, values });
      }
      const {
        rows: [plans],
      } = await client.query<{ generic_plans: string }>(
        "select generic_plans from pg_prepared_statements where name = 'invite-plan'",
      );
      expect(Number(plans.generic_plans)).toBeGreaterThan(0);
    } finally {
      await client.query('rollback');
      await client.end();
    }
  });

  it('inviting someone who already collaborates, with someone new, runs the invitation again in a transaction: the single statement is refused whole', async () => {
    const org = await createOrganization(t);
    const project = await createResource(t, org.admin, 'project');
    const url = `/projects/${project.id}/collaborators`;
    const known = uniqueEmail('outside.test');
    expect((await t.post(url, { emails: [known], role: 'annotator' }, org.admin.token)).status).toBe(201);
    let status = 0;
    const statements = await statementsWhile(async () => {
      status = (
        await t.post(url, { emails: [uniqueEmail('outside.test'), known], role: 'reviewer' }, org.admin.token)
      ).status;
    });
    expect(status).toBe(201);
    expect(statements.filter((text) => /^with resource as/.test(text))).toHaveLength(2);
    expect(statements.filter((text) => /^\s*begin/i.test(text))).toHaveLength(1);
  });
});
