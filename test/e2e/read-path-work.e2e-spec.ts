import { EntityManager } from '@mikro-orm/core';
import { createMember, createOrganization } from '../factories/organizations.factory';
import { addCollaborator, createResource } from '../factories/resources.factory';
import { TestApp } from '../support/test-app';

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
});
