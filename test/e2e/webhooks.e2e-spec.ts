import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/config/app-config';
import { withDatabase } from '../../src/database/database-url';
import { WebhookWorker } from '../../src/modules/webhooks/webhook-worker';
import { WebhooksRepository } from '../../src/modules/webhooks/webhooks.repository';
import { WEBHOOK_EVENT_MAPPING, WEBHOOK_EVENT_TYPES } from '../../src/modules/webhooks/webhook-event-types';
import { createMember, createOrganization, TestOrganization } from '../factories/organizations.factory';
import { createUser, TestUser, uniqueEmail, uniqueName } from '../factories/users.factory';
import { TEST_JWT_SECRET, TestApp } from '../support/test-app';
import { eventually, ReceivedWebhook, verifyWebhook, WebhookReceiver } from '../support/webhook-receiver';

/** Loopback is allowed (the receivers run there); every other internal address stays refused. */
const ENV = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: '127.0.0.1/32',
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_DELAY_MS: '100',
  WEBHOOK_RETRY_MAX_DELAY_MS: '400',
  WEBHOOK_RETRY_WINDOW_MS: '4000',
  WEBHOOK_TIMEOUT_MS: '1000',
  WEBHOOK_SECRET_ROTATION_GRACE_MS: '2000',
};

describe('Webhooks', () => {
  let t: TestApp;
  let org: TestOrganization;
  let admin: TestUser;
  const receivers: WebhookReceiver[] = [];

  const hooksUrl = (orgId = org.id) => `/organizations/${orgId}/webhooks`;
  const register = async (
    receiver: WebhookReceiver,
    events: string[] = WEBHOOK_EVENT_TYPES,
    organization = org,
    path = '/hooks',
  ) => {
    const response = await t.post(
      hooksUrl(organization.id),
      { url: receiver.url(path), events },
      organization.admin.token,
    );
    expect(response.status).toBe(201);
    return response.body as { id: string; secret: string; url: string };
  };
  const receiver = async () => {
    const started = await WebhookReceiver.start();
    receivers.push(started);
    return started;
  };
  const newTag = (name = uniqueName('Tag'), organization = org) =>
    t.post(`/organizations/${organization.id}/tags`, { name }, organization.admin.token);
  const deliveries = async (endpointId: string, organization = org) =>
    (await t.get(`${hooksUrl(organization.id)}/${endpointId}/deliveries?limit=200`, organization.admin.token))
      .body.items as any[];
  const worker = () => t.app.get(WebhookWorker);

  beforeAll(async () => {
    t = await TestApp.start(ENV);
    org = await createOrganization(t);
    admin = org.admin;
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await t.close();
  });

  describe('endpoints', () => {
    it('an admin registers an endpoint and is shown its whsec_ secret once, kept encrypted', async () => {
      const hook = await receiver();
      const created = await t.post(
        hooksUrl(),
        { url: hook.url(), events: ['tag.created', 'tag.created'], description: ' CRM ' },
        admin.token,
      );
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        url: hook.url(),
        events: ['tag.created'],
        description: 'CRM',
        disabled: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);

      const read = await t.get(`${hooksUrl()}/${created.body.id}`, admin.token);
      expect(read.status).toBe(200);
      expect(read.body.secret).toBeUndefined();
      const list = await t.get(hooksUrl(), admin.token);
      expect(list.body.items.map((e: { id: string }) => e.id)).toContain(created.body.id);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');

      const [row] = await t.sql(`select secret_ciphertext from webhook_endpoints where id = ?`, [
        created.body.id,
      ]);
      expect(row.secret_ciphertext).not.toContain(created.body.secret.slice(6));
    });

    it('an admin changes the URL and events, and deletes an endpoint', async () => {
      const hook = await receiver();
      const { id } = await register(hook, ['tag.created']);
      const changed = await t.patch(
        `${hooksUrl()}/${id}`,
        { url: hook.url('/other'), events: ['group.created', 'tag.deleted'] },
        admin.token,
      );
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        url: hook.url('/other'),
        events: ['group.created', 'tag.deleted'],
      });
      expect((await t.request('DELETE', `${hooksUrl()}/${id}`, { token: admin.token })).status).toBe(204);
      expect((await t.get(`${hooksUrl()}/${id}`, admin.token)).status).toBe(404);
    });

    it('an unknown event type, an empty list or a non-http URL is a 400', async () => {
      const url = 'http://127.0.0.1:9/hooks';
      for (const body of [
        { url, events: ['tag.exploded'] },
        { url, events: [] },
        { url: 'ftp://127.0.0.1/hooks', events: ['tag.created'] },
        { url: 'http://user:pass@127.0.0.1/hooks', events: ['tag.created'] },
        { url: 'not a url', events: ['tag.created'] },
      ]) {
        const response = await t.post(hooksUrl(), body, admin.token);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('server-side request forgery', () => {
    it.each([
      ['a private IPv4 address', 'http://10.0.0.1/hooks'],
      ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data'],
      ['loopback outside the allowed range', 'http://127.0.0.2:8080/hooks'],
      ['the unspecified address', 'http://0.0.0.0/hooks'],
      ['multicast', 'http://224.0.0.1/hooks'],
      ['IPv6 loopback', 'http://[::1]/hooks'],
      ['IPv6 link-local', 'http://[fe80::1]/hooks'],
      ['IPv6 unique-local', 'http://[fd00::1]/hooks'],
      ['IPv4-mapped IPv6 of a private address', 'http://[::ffff:10.0.0.1]/hooks'],
      ['IPv4-mapped IPv6 of the metadata address', 'http://[::ffff:a9fe:a9fe]/hooks'],
      ['NAT64 of a private address', 'http://[64:ff9b::192.168.0.1]/hooks'],
      ['a decimal IPv4 address', 'http://167772161/hooks'],
    ])('%s is refused at registration with 422 WEBHOOK_TARGET_NOT_ALLOWED', async (_, url) => {
      const response = await t.post(hooksUrl(), { url, events: ['tag.created'] }, admin.token);
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('WEBHOOK_TARGET_NOT_ALLOWED');
    });

    it('a host name that does not resolve is refused with 422 WEBHOOK_TARGET_UNRESOLVABLE', async () => {
      const response = await t.post(
        hooksUrl(),
        { url: 'http://no-such-host.invalid/hooks', events: ['tag.created'] },
        admin.token,
      );
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('WEBHOOK_TARGET_UNRESOLVABLE');
    });

    it('changing the URL to an internal address is refused too', async () => {
      const { id } = await register(await receiver(), ['tag.created']);
      const response = await t.patch(`${hooksUrl()}/${id}`, { url: 'http://192.168.1.1/' }, admin.token);
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('WEBHOOK_TARGET_NOT_ALLOWED');
    });

    it('a target that became internal after registration is not connected to at delivery', async () => {
      const hook = await receiver();
      const { id } = await register(hook, ['tag.created']);
      // What a DNS answer that changed since the registration amounts to.
      await t.sql(`update webhook_endpoints set url = 'http://10.255.0.1:9/hooks' where id = ?`, [id]);
      await newTag();
      await eventually(async () => (await deliveries(id))[0]?.attempts >= 1, 'an attempt');
      const [delivery] = await deliveries(id);
      expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: null });
      expect(delivery.lastResponse).toBe('not sent: 10.255.0.1 is an internal address');
      expect(hook.received).toHaveLength(0);
    });

    it('a redirect is an answer, never followed', async () => {
      const hook = await receiver();
      hook.answer = (request) =>
        request.path === '/hooks'
          ? { status: 307, headers: { location: hook.url('/elsewhere') } }
          : { status: 200 };
      const { id } = await register(hook, ['tag.created']);
      await newTag();
      await eventually(async () => (await deliveries(id))[0]?.lastStatusCode === 307, 'the redirect answer');
      expect(hook.received.every((r) => r.path === '/hooks')).toBe(true);
      expect((await deliveries(id))[0].status).toBe('pending');
    });

    it('a slow endpoint is cut after the timeout, and a huge answer is read only in part', async () => {
      const slow = await receiver();
      slow.answer = () => ({ status: 200, delayMs: 3000 });
      const slowHook = await register(slow, ['tag.created']);
      const huge = await receiver();
      huge.answer = () => ({ status: 500, body: 'x'.repeat(1_000_000) });
      const hugeHook = await register(huge, ['tag.created']);
      await newTag();
      await eventually(async () => {
        const [delivery] = await deliveries(slowHook.id);
        return delivery !== undefined && delivery.lastResponse !== null;
      }, 'the timeout');
      expect((await deliveries(slowHook.id))[0]).toMatchObject({
        status: 'pending',
        lastStatusCode: null,
        lastResponse: 'no answer within 1000 ms',
      });
      await eventually(async () => (await deliveries(hugeHook.id))[0]?.lastStatusCode === 500, 'the 500');
      expect((await deliveries(hugeHook.id))[0].lastResponse).toBe('x'.repeat(1000));
    });
  });

  describe('delivery', () => {
    it('every change made during the test arrives exactly once, signed, despite failures on purpose', async () => {
      const hook = await receiver();
      let failures = 4;
      hook.answer = () => (failures-- > 0 ? { status: 503, body: 'maintenance' } : { status: 200 });
      const endpoint = await register(hook);
      const [{ max: since }] = await t.sql(`select max(created_at) as max from audit_events`);

      const member = await t.post(
        `/organizations/${org.id}/members`,
        { email: uniqueEmail(), type: 'member' },
        admin.token,
      );
      const memberId = member.body.userId as string;
      await t.patch(`/organizations/${org.id}/members/${memberId}`, { type: 'admin' }, admin.token);
      await t.patch(`/organizations/${org.id}/members/${memberId}`, { type: 'member' }, admin.token);
      const group = await t.post(
        `/organizations/${org.id}/groups`,
        { name: uniqueName('G'), memberIds: [memberId] },
        admin.token,
      );
      await t.patch(
        `/organizations/${org.id}/groups/${group.body.id}`,
        { name: uniqueName('G2') },
        admin.token,
      );
      await t.request('DELETE', `/organizations/${org.id}/groups/${group.body.id}/members/${memberId}`, {
        token: admin.token,
      });
      const tag = await newTag('Webhooked');
      expect((await newTag('WEBHOOKED')).status).toBe(409); // no change, so no event
      await t.patch(
        `/organizations/${org.id}/tags/${tag.body.id}`,
        { name: uniqueName('Renamed') },
        admin.token,
      );
      const project = await t.post('/projects', { title: 'Hooked project' }, admin.token);
      const projectUrl = `/projects/${project.body.id}`;
      await t.post(`${projectUrl}/tags`, { tagId: tag.body.id }, admin.token);
      await t.request('DELETE', `${projectUrl}/tags/${tag.body.id}`, { token: admin.token });
      await t.post(
        `${projectUrl}/collaborators`,
        { emails: [member.body.email], role: 'annotator' },
        admin.token,
      );
      await t.patch(`${projectUrl}/collaborators/${memberId}`, { role: 'reviewer' }, admin.token);
      await t.request('DELETE', `${projectUrl}/collaborators/${memberId}`, { token: admin.token });
      await t.patch(projectUrl, { title: 'Renamed project' }, admin.token);
      await t.request('DELETE', projectUrl, { token: admin.token });
      await t.request('DELETE', `/organizations/${org.id}/tags/${tag.body.id}?confirm=true`, {
        token: admin.token,
      });
      await t.request('DELETE', `/organizations/${org.id}/groups/${group.body.id}`, { token: admin.token });
      await t.request('DELETE', `/organizations/${org.id}/members/${memberId}`, { token: admin.token });

      const changes = await t.sql<{ id: string; action: string }>(
        `select a.id, a.action from audit_events a join webhook_event_types m on m.audit_action = a.action
          where a.organization_id = ? and a.created_at > ? order by a.created_at`,
        [org.id, since],
      );
      expect(changes.length).toBeGreaterThanOrEqual(19);
      await eventually(() => hook.accepted().length >= changes.length, 'every change to arrive');
      // Give a duplicate the time to show up, if there were one.
      await new Promise((resolve) => setTimeout(resolve, 300));

      const accepted = hook.accepted();
      expect(accepted.map((r) => r.id).sort()).toEqual(changes.map((c) => c.id).sort());
      expect(hook.received.filter((r) => r.answered === 503)).toHaveLength(4);
      for (const request of hook.received) expect(verifyWebhook(endpoint.secret, request)).toBe(true);
      const types = accepted.map((r) => JSON.parse(r.body).type as string);
      expect(new Set(types)).toEqual(
        new Set([
          'membership.added',
          'membership.updated',
          'membership.removed',
          'group.created',
          'group.updated',
          'group.deleted',
          'group.members_changed',
          'collaborator.added',
          'collaborator.updated',
          'collaborator.removed',
          'resource.created',
          'resource.updated',
          'resource.deleted',
          'tag.created',
          'tag.updated',
          'tag.deleted',
          'project.tagged',
          'project.untagged',
        ]),
      );

      await eventually(
        async () => (await deliveries(endpoint.id)).every((d) => d.status === 'succeeded'),
        'every record',
      );
      const log = await walkDeliveries(endpoint.id);
      expect(log).toHaveLength(changes.length);
      expect(
        log.every((d) => d.status === 'succeeded' && d.lastStatusCode === 200 && d.nextAttemptAt === null),
      ).toBe(true);
      expect(log.some((d) => d.attempts > 1)).toBe(true);
    });

    it('the body is the documented event: type, timestamp and the change with its audit details', async () => {
      const hook = await receiver();
      const endpoint = await register(hook, ['tag.created']);
      const tag = await newTag('Payload tag');
      await eventually(() => hook.accepted().length === 1, 'the event');
      const [request] = hook.received as [ReceivedWebhook];
      expect(JSON.parse(request.body)).toEqual({
        type: 'tag.created',
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        data: {
          organizationId: org.id,
          actorId: admin.id,
          action: 'tag.created',
          targetType: 'tag',
          targetId: tag.body.id,
          details: { name: 'Payload tag' },
        },
      });
      expect(Math.abs(Number(request.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      // The answer is recorded just after the receiver sent it.
      await eventually(async () => (await deliveries(endpoint.id))[0].status === 'succeeded', 'the record');
      const [delivery] = await deliveries(endpoint.id);
      expect(delivery).toMatchObject({
        eventId: request.id,
        eventType: 'tag.created',
        status: 'succeeded',
        attempts: 1,
      });
    });

    it('an endpoint receives only the event types it subscribed to', async () => {
      const hook = await receiver();
      await register(hook, ['group.created']);
      await newTag();
      await t.post(`/organizations/${org.id}/groups`, { name: uniqueName('Only') }, admin.token);
      await eventually(() => hook.accepted().length === 1, 'the group event');
      await worker().runOnce();
      expect(hook.received.map((r) => JSON.parse(r.body).type)).toEqual(['group.created']);
    });

    it("the change's transaction writes the event; the worker makes its deliveries, for endpoints registered by then", async () => {
      const own = await createOrganization(t);
      const hook = await receiver();
      const { id } = await register(hook, ['tag.created'], own);
      await worker().runOnce();
      // A change made a minute before the endpoint was registered, its event not fanned out yet.
      const [early] = await t.sql(
        `insert into webhook_events (organization_id, type, payload, created_at, fanned_out)
         values (?, 'tag.created', '{}'::jsonb, now() - interval '1 minute', false) returning id`,
        [own.id],
      );
      await worker().runOnce();
      // Another test process's worker on this database may have taken it first (`skip locked` lets
      // instances share the work): marked either way, with no delivery to an endpoint registered after.
      await eventually(
        async () =>
          (await t.sql(`select fanned_out from webhook_events where id = ?`, [early.id]))[0]?.fanned_out ===
          true,
        'the early event fanned out',
      );
      expect(await deliveries(id, own)).toHaveLength(0);

      await newTag(uniqueName('Tag'), own);
      await eventually(() => hook.accepted().length === 1, 'the event of a change made after registering');
      expect(await deliveries(id, own)).toHaveLength(1);
    });

    it('a disabled endpoint gets nothing, and nothing is kept for it', async () => {
      const hook = await receiver();
      const { id } = await register(hook, ['tag.created']);
      expect((await t.patch(`${hooksUrl()}/${id}`, { disabled: true }, admin.token)).body.disabled).toBe(
        true,
      );
      await newTag();
      await worker().runOnce();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hook.received).toHaveLength(0);
      expect(await deliveries(id)).toHaveLength(0);

      await t.patch(`${hooksUrl()}/${id}`, { disabled: false }, admin.token);
      await newTag();
      await eventually(() => hook.accepted().length === 1, 'the event after enabling');
    });

    it("a secret's ciphertext copied onto another endpoint's row does not open there: nothing is sent", async () => {
      const hook = await receiver();
      const first = await register(hook, ['group.deleted']);
      const second = await register(hook, ['tag.created']);
      await t.sql(
        `update webhook_endpoints set secret_ciphertext = (select secret_ciphertext from webhook_endpoints where id = ?) where id = ?`,
        [first.id, second.id],
      );
      await newTag();
      await eventually(async () => (await deliveries(second.id))[0]?.attempts >= 1, 'an attempt');
      expect((await deliveries(second.id))[0]).toMatchObject({
        status: 'pending',
        lastStatusCode: null,
        lastResponse: 'not sent: the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY',
      });
      expect(hook.received).toHaveLength(0);
    });

    it('retries stop after the retry window: the delivery is failed', async () => {
      const hook = await receiver();
      hook.answer = () => ({ status: 500 });
      const { id } = await register(hook, ['tag.created']);
      await newTag();
      await eventually(async () => (await deliveries(id))[0]?.status === 'failed', 'giving up', 15_000);
      const [delivery] = await deliveries(id);
      expect(delivery.attempts).toBeGreaterThan(2);
      expect(delivery.nextAttemptAt).toBeNull();
      expect(hook.received.length).toBe(delivery.attempts);
    });

    it('a manual redelivery sends the same event again, with the same webhook-id', async () => {
      const hook = await receiver();
      const { id } = await register(hook, ['tag.created']);
      await newTag();
      await eventually(() => hook.accepted().length === 1, 'the first delivery');
      await eventually(async () => (await deliveries(id))[0].status === 'succeeded', 'the record');
      const [delivery] = await deliveries(id);
      const response = await t.post(
        `${hooksUrl()}/${id}/deliveries/${delivery.id}/redeliver`,
        undefined,
        admin.token,
      );
      expect(response.status).toBe(202);
      await eventually(() => hook.accepted().length === 2, 'the redelivery');
      expect(hook.received[1]!.id).toBe(hook.received[0]!.id);
      await eventually(async () => (await deliveries(id))[0].attempts === 2, 'the log');
    });

    it('after a rotation both secrets sign until the grace period ends, then only the new one', async () => {
      const hook = await receiver();
      const { id, secret: oldSecret } = await register(hook, ['tag.created']);
      const rotated = await t.post(`${hooksUrl()}/${id}/rotate-secret`, undefined, admin.token);
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);

      await newTag();
      await eventually(() => hook.accepted().length === 1, 'a delivery in the grace period');
      const during = hook.received[0]!;
      expect(during.signature.split(' ')).toHaveLength(2);
      expect(verifyWebhook(oldSecret, during)).toBe(true);
      expect(verifyWebhook(newSecret, during)).toBe(true);

      await new Promise((resolve) =>
        setTimeout(resolve, Date.parse(rotated.body.previousSecretExpiresAt) - Date.now() + 100),
      );
      await newTag();
      await eventually(() => hook.accepted().length === 2, 'a delivery after the grace period');
      const after = hook.received[1]!;
      expect(after.signature.split(' ')).toHaveLength(1);
      expect(verifyWebhook(newSecret, after)).toBe(true);
      expect(verifyWebhook(oldSecret, after)).toBe(false);
    });
  });

  describe('several instances', () => {
    let second: NestFastifyApplication;

    beforeAll(async () => {
      const config = AppConfig.load({
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'silent',
        DATA_DIR: t.mailDir,
        ...ENV,
        WEBHOOK_POLL_INTERVAL_MS: '10',
      });
      second = await createApp(config, withDatabase(process.env.TEST_SERVER_URL!, t.databaseName));
      await second.init();
    });
    afterAll(() => second.close());

    it('two instances racing over one database deliver each event once', async () => {
      const hook = await receiver();
      hook.answer = () => ({ status: 200, delayMs: 30 });
      const { id } = await register(hook, ['tag.created']);
      for (let i = 0; i < 30; i++) expect((await newTag()).status).toBe(201);
      // Both instances' workers, also pushed by hand, all at once.
      const workers = [t.app.get(WebhookWorker), second.get(WebhookWorker)];
      await Promise.all(workers.flatMap((w) => [w.runOnce(), w.runOnce()]));
      await eventually(() => hook.accepted().length >= 30, 'every event');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ids = hook.received.map((r) => r.id);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      await eventually(
        async () => (await deliveries(id)).every((d) => d.status === 'succeeded'),
        'the records',
      );
      expect((await deliveries(id)).every((d) => d.attempts === 1)).toBe(true);
    });
  });

  describe('who may', () => {
    let other: TestOrganization;
    let endpointId: string;
    let deliveryId: string;

    beforeAll(async () => {
      other = await createOrganization(t);
      const hook = await receiver();
      endpointId = (await register(hook, ['tag.created'])).id;
      await newTag();
      await eventually(() => hook.accepted().length === 1, 'a delivery');
      deliveryId = (await deliveries(endpointId))[0].id;
    });

    const probes = (orgId: string) => [
      { method: 'GET' as const, url: `/organizations/${orgId}/webhooks/${endpointId}` },
      {
        method: 'PATCH' as const,
        url: `/organizations/${orgId}/webhooks/${endpointId}`,
        body: { disabled: true },
      },
      { method: 'POST' as const, url: `/organizations/${orgId}/webhooks/${endpointId}/rotate-secret` },
      { method: 'GET' as const, url: `/organizations/${orgId}/webhooks/${endpointId}/deliveries` },
      {
        method: 'POST' as const,
        url: `/organizations/${orgId}/webhooks/${endpointId}/deliveries/${deliveryId}/redeliver`,
      },
      { method: 'DELETE' as const, url: `/organizations/${orgId}/webhooks/${endpointId}` },
    ];

    it("another organization's admin gets 404 for an endpoint, through either organization's path", async () => {
      for (const probe of [...probes(other.id), ...probes(org.id)]) {
        const response = await t.request(probe.method, probe.url, {
          token: other.admin.token,
          body: probe.body,
        });
        expect([probe.url, response.status]).toEqual([probe.url, 404]);
      }
      expect((await t.get(hooksUrl(), other.admin.token)).status).toBe(404);
      expect((await t.get(`${hooksUrl()}/${endpointId}`, admin.token)).body.disabled).toBe(false);
    });

    it('a member of the organization gets 403', async () => {
      const member = await createMember(t, org.id, 'member');
      for (const probe of probes(org.id)) {
        const response = await t.request(probe.method, probe.url, { token: member.token, body: probe.body });
        expect([probe.url, response.status]).toEqual([probe.url, 403]);
      }
    });

    it('a delivery of another endpoint is a 404, even in the same organization', async () => {
      const { id: otherEndpoint } = await register(await receiver(), ['tag.created']);
      const response = await t.post(
        `${hooksUrl()}/${otherEndpoint}/deliveries/${deliveryId}/redeliver`,
        undefined,
        admin.token,
      );
      expect(response.status).toBe(404);
    });

    it('a stranger with an account gets 404', async () => {
      const stranger: TestUser = await createUser(t);
      expect((await t.get(hooksUrl(), stranger.token)).status).toBe(404);
    });
  });

  it('old events with nothing left to send are swept with their log; pending ones are kept', async () => {
    // An organization of its own: an event is kept while any endpoint still has it to send.
    const own = await createOrganization(t);
    const hook = await receiver();
    const doneName = uniqueName('Sweep');
    hook.answer = (request) =>
      JSON.parse(request.body).data.details.name === doneName ? { status: 200 } : { status: 500 };
    const { id } = await register(hook, ['tag.created'], own);
    await newTag(doneName, own);
    await newTag(uniqueName('Tag'), own);
    await eventually(async () => {
      const log = await deliveries(id, own);
      return (
        log.length === 2 && log.some((d) => d.status === 'succeeded') && log.every((d) => d.attempts >= 1)
      );
    }, 'one delivered, one retrying');
    const log = await deliveries(id, own);
    const done = log.find((d) => d.status === 'succeeded');
    const waiting = log.find((d) => d.status === 'pending');
    await t.sql(`update webhook_events set created_at = now() - interval '31 days' where id in (?, ?)`, [
      done.eventId,
      waiting.eventId,
    ]);
    expect(await t.app.get(WebhooksRepository).sweep(t.em(), 30, 100)).toBe(1);
    expect((await deliveries(id, own)).map((d) => d.id)).toEqual([waiting.id]);
  });

  it('the event types the trigger knows are the ones the API documents', async () => {
    const rows = await t.sql<{ audit_action: string; event_type: string }>(
      `select audit_action, event_type from webhook_event_types`,
    );
    const mapping = Object.entries(WEBHOOK_EVENT_MAPPING).flatMap(([type, actions]) =>
      actions.map((action) => ({ audit_action: action, event_type: type })),
    );
    const byAction = (a: { audit_action: string }, b: { audit_action: string }) =>
      a.audit_action < b.audit_action ? -1 : 1;
    expect(rows.sort(byAction)).toEqual(mapping.sort(byAction));
  });

  /** Every delivery of an endpoint, page by page (five at a time), checking no page repeats one. */
  async function walkDeliveries(endpointId: string): Promise<any[]> {
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.get(
        `${hooksUrl()}/${endpointId}/deliveries?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        admin.token,
      );
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(all.map((d) => d.id)).size).toBe(all.length);
    return all;
  }
});
