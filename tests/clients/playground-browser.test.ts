import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startSeededServer, type SeededServer } from './seeded-server';

/**
 * The playground as a person uses it: Debian's Chromium (never a downloaded browser) opens GET /graphql,
 * runs the preloaded example query and shows the source's title in the result pane. Every request that
 * would leave this server is refused, so the page must work with no internet access.
 * The screenshot lands in artifacts/playground.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TITLE = 'Activating AI Safety Level 3 protections';
const SCREENSHOT = path.resolve(__dirname, '../../artifacts/playground.png');

let s: SeededServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium), as .ci/run does`);
  }
  s = await startSeededServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

it('runs the example query in GraphiQL, with its assets from this server only', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const offsite: string[] = [];
  const problems: string[] = [];
  const graphqlRequests: { method: string; headers: Record<string, string> }[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin === s.origin) await route.continue();
    else {
      offsite.push(url.href);
      await route.abort('internetdisconnected');
    }
  });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/graphql' && r.method() === 'POST') graphqlRequests.push({ method: r.method(), headers: r.headers() });
  });

  const response = await page.goto(s.url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toMatch(/^text\/html/);

  // GraphiQL is up, with the API.md example query in the editor.
  const editor = page.locator('.graphiql-query-editor');
  await editor.waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-query-editor .CodeMirror-line', { hasText: 'query SourcePage' }).waitFor({ timeout: 30_000 });
  expect(await editor.innerText()).toContain('source(id: "YmFkZjUwMz")');

  // The headers pane is open and editable: a header typed there goes with the request.
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  await headers.click();
  await page.keyboard.type('{"x-factlog-playground": "yes"');

  // Run it from the keyboard, as a person would (Ctrl-Enter in the query editor).
  await page.locator('.graphiql-query-editor .CodeMirror-line').first().click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('Control+Enter');
  await page.locator('.graphiql-response', { hasText: TITLE }).waitFor({ timeout: 30_000 });
  const result = await page.locator('.graphiql-response').innerText();
  expect(result).toContain('"stableId": "YmFkZjUwMz"');
  expect(result).not.toContain('"errors"');

  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });

  const run = graphqlRequests.filter((r) => r.headers['x-factlog-playground'] === 'yes');
  expect(run.length).toBeGreaterThanOrEqual(1);
  expect(offsite).toEqual([]);
  expect(problems).toEqual([]);
  await context.close();
});
