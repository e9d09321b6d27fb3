import { createClient, paginate, unwrap } from '@orgs-access/client';

export async function listAcmeMembers(baseUrl: string, email: string, password: string) {
  const { accessToken } = unwrap(
    await createClient({ baseUrl }).POST('/auth/login', { body: { email, password } }),
  );
  const api = createClient({ baseUrl, token: () => accessToken });
  const me = unwrap(await api.GET('/me'));
  const orgId = me.memberships[0].organization.id;
  for await (const member of paginate((cursor) =>
    api.GET('/organizations/{orgId}/members', { params: { path: { orgId }, query: { cursor, limit: 100 } } }),
  ))
    console.log(member.email, member.type);
}
