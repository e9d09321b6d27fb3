import { createPlatformAdmin, TestUser, uniqueEmail } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

/**
 * A statement fails in a way the service does not expect (a constraint added behind its back), the
 * request answers 500 and the error is logged: the log must say what failed, not with which values.
 */
describe('The log of a failed statement', () => {
  let t: TestApp;
  let operator: TestUser;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await TestApp.start(
      { LOG_LEVEL: 'trace' },
      { logDestination: { write: (line: string) => lines.push(line) } },
    );
    operator = await createPlatformAdmin(t);
    await t.sql(
      // Sign-up writes the chosen password's hash onto its mailed token.
      'alter table email_tokens add constraint injected_no_passwords check (password_hash is null) not valid',
    );
    await t.sql(
      `alter table organizations add constraint injected_no_leak check (name <> 'Leak Org') not valid`,
    );
  });
  afterAll(() => t.close());

  const log = () => lines.join('');

  it('names the constraint but carries neither the password hash nor the password', async () => {
    const password = 'Pa55word-only-the-user-knows';
    const response = await t.post('/auth/signup', { email: uniqueEmail(), password, name: 'Leaky' });
    expect(response.status).toBe(500);
    expect(log()).toContain(response.body.requestId);
    expect(log()).toContain('injected_no_passwords');
    expect(log()).not.toContain('scrypt$');
    expect(log()).not.toContain(password);
  });

  it('carries no bearer token of the failed request', async () => {
    const response = await t.post(
      '/platform/organizations',
      { name: 'Leak Org', domains: ['leak-org.test'], adminEmails: [operator.email] },
      operator.token,
    );
    expect(response.status).toBe(500);
    expect(log()).toContain('injected_no_leak');
    expect(log()).not.toContain(operator.token);
    expect(log()).not.toContain(operator.token.split('.')[2]);
  });
});
