import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { signUpThroughApi } from '../factories/users.factory';
import { TestApp } from '../support/test-app';

const CHROMIUM = '/usr/bin/chromium';
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

  it('a person signs in from the Authorize dialog, runs GET /me, sees themselves, and stays signed in after a reload', async () => {
    const user = await signUpThroughApi(t, { name: 'Browser Person' });
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);
    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(user.token);
    await page.locator('.modal-ux button.authorize').first().click();
    await page.locator('.modal-ux button.btn-done').first().click();

    await page.reload();
    const me = page.locator('.opblock-get', { has: page.locator('[data-path="/me"]') }).first();
    await me.locator('.opblock-summary').first().click();
    await me.locator('button.try-out__btn').click();
    await me.locator('button.execute').click();
    const answer = me.locator('.live-responses-table tbody .response-col_status').first();
    await answer.waitFor();
    expect((await answer.innerText()).trim()).toMatch(/^200\b/);
    expect(await me.locator('.live-responses-table .microlight').first().innerText()).toContain(user.email);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'swagger-ui-me.png'), fullPage: true });
  });

  it('operations are grouped by tag, and the tags are sorted', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);
    const tags = await page.locator('.opblock-tag-section h3 .opblock-tag, h3.opblock-tag').allInnerTexts();
    const names = tags.map((tag) => tag.trim().split('\n')[0]);
    expect(names.length).toBeGreaterThan(3);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });
});
