import type { OrgsClient, Schemas } from '../../clients/typescript/src';

/**
 * Each kind's roles are its own named enum in the document, so the generated SDK refuses at compile
 * time a role of another kind. The checks are the `@ts-expect-error` lines below: `npm run typecheck`
 * (strict) fails if one of them compiles. The calls are built, never sent.
 */
function wrongRolesDoNotCompile(api: OrgsClient, id: string, userId: string, groupId: string) {
  const params = { path: { id } };
  return [
    // @ts-expect-error a dataset role on a project
    api.POST('/projects/{id}/collaborators', { params, body: { emails: ['a@b.test'], role: 'user' } }),
    // @ts-expect-error a project role on a dataset
    api.POST('/datasets/{id}/collaborators', { params, body: { emails: ['a@b.test'], role: 'annotator' } }),
    // @ts-expect-error a project role on an ontology
    api.POST('/ontologies/{id}/groups', { params, body: { groupId, role: 'reviewer' } }),
    api.PATCH('/projects/{id}/collaborators/{userId}', {
      params: { path: { id, userId } },
      // @ts-expect-error a dataset role on a project
      body: { role: 'user' },
    }),
    // The right roles compile.
    api.POST('/projects/{id}/collaborators', { params, body: { emails: ['a@b.test'], role: 'annotator' } }),
    api.POST('/datasets/{id}/groups', { params, body: { groupId, role: 'user' } }),
  ];
}

describe('Roles per resource kind in the SDK', () => {
  it("names one enum per kind, with exactly that kind's roles", () => {
    const project: Schemas['ProjectRole'][] = [
      'admin',
      'team_manager',
      'annotator_reviewer',
      'reviewer',
      'annotator',
    ];
    const dataset: Schemas['DatasetRole'][] = ['admin', 'user'];
    const ontology: Schemas['OntologyRole'][] = ['admin', 'user'];
    // @ts-expect-error `user` is no project role
    const notProject: Schemas['ProjectRole'] = 'user';
    // @ts-expect-error `annotator` is no dataset role
    const notDataset: Schemas['DatasetRole'] = 'annotator';
    expect([project, dataset, ontology, notProject, notDataset]).toHaveLength(5);
    expect(typeof wrongRolesDoNotCompile).toBe('function');
  });
});
