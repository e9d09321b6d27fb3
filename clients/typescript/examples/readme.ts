import { paginate, signIn, unwrap } from '@orgs-access/client';

export async function listAcmeMembers(baseUrl: string, email: string, password: string) {
  // The session's client refreshes its access token by itself (a refresh token rotated on each use).
  const { api } = await signIn({ baseUrl, email, password });
  const me = unwrap(await api.GET('/me'));
  const orgId = me.memberships[0].organization.id;
  for await (const member of paginate((cursor) =>
    api.GET('/organizations/{orgId}/members', { params: { path: { orgId }, query: { cursor, limit: 100 } } }),
  ))
    console.log(member.email, member.type);
}
