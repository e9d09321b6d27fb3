import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { signUpThroughApi } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'browser person password';
/** CI sets this: there the browser test must run, never skip. */
const REQUIRED = process.env.BROWSER_TEST_REQUIRED === 'true';
const ARTIFACTS = process.env.BROWSER_ARTIFACTS_DIR ?? join(__dirname, 'artifacts');
const available = existsSync(CHROMIUM);
if (!available && !REQUIRED) {
  console.error(`Swagger UI browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}
const describeInBrowser = available || REQUIRED ? describe : describe.skip;

describeInBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;
  beforeAll(async () => {
    t = await TestApp.start();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('a person signs in with email and password in the Authorize dialog (OAuth2 password flow), runs GET /me, sees themselves, and stays signed in after a reload', async () => {
    const user = await signUpThroughApi(t, { name: 'Browser Person', password: PASSWORD });
    const page = await browser.newPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/auth/token')) tokenRequests.push(request.postData() ?? '');
    });
    await page.goto(`${baseUrl}/docs`);
    await page.locator('button.authorize').first().click();
    const oauth2 = page.locator('.modal-ux .auth-container', { hasText: '(OAuth2, password)' });
    await oauth2.locator('#oauth_username').fill(user.email);
    await oauth2.locator('#oauth_password').fill(PASSWORD);
    await oauth2.locator('button.authorize').click();
    // Signed in: the dialog offers to log out of the scheme, and no error is shown.
    await oauth2.locator('button', { hasText: 'Logout' }).waitFor();
    await expect(oauth2.innerText()).resolves.toContain('Authorized');
    expect(await oauth2.locator('.errors').count()).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-signed-in.png'), fullPage: false });
    await page.locator('.modal-ux button.btn-done').first().click();
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0]).get('grant_type')).toBe('password');

    await page.reload();
    const me = page.locator('.opblock-get', { has: page.locator('[data-path="/me"]') }).first();
    await me.locator('.opblock-summary').first().click();
    await me.locator('button.try-out__btn').click();
    await me.locator('button.execute').click();
    const answer = me.locator('.live-responses-table tbody .response-col_status').first();
    await answer.waitFor();
    expect((await answer.innerText()).trim()).toMatch(/^200\b/);
    expect(await me.locator('.live-responses-table .microlight').first().innerText()).toContain(user.email);

    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-me.png'), fullPage: true });
  });

  it('a wrong password in the Authorize dialog is shown as the token endpoint says, and signs nobody in', async () => {
    const user = await signUpThroughApi(t, { name: 'Browser Typo', password: PASSWORD });
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);
    await page.locator('button.authorize').first().click();
    const oauth2 = page.locator('.modal-ux .auth-container', { hasText: '(OAuth2, password)' });
    await oauth2.locator('#oauth_username').fill(user.email);
    await oauth2.locator('#oauth_password').fill('not the password');
    await oauth2.locator('button.authorize').click();
    await expect(oauth2.locator('.errors').innerText()).resolves.toContain('invalid_grant');
  });

  it("operations are grouped by tag, in the document's reading order (signing in first)", async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);
    const tags = await page.locator('.opblock-tag-section h3 .opblock-tag, h3.opblock-tag').allInnerTexts();
    const names = tags.map((tag) => tag.trim().split('\n')[0].split(' ')[0]);
    const document = (await t.get('/docs/openapi.json')).body as { tags: { name: string }[] };
    expect(names).toEqual(document.tags.map((tag) => tag.name));
    expect(names[0]).toBe('auth');
  });
});
