import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ApiKeys } from '../../src/auth/keys';
import { startSeededServer, type SeededServer } from './seeded-server';

/**
 * The playground as a person uses it: Debian's Chromium (never a downloaded browser) opens GET /graphql,
 * runs the preloaded example query and shows the source's title in the result pane. Every request that
 * would leave this server is refused, so the page must work with no internet access.
 * The screenshots land in artifacts/playground*.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TITLE = 'Activating AI Safety Level 3 protections';
const screenshot = (name: string) => path.resolve(__dirname, `../../artifacts/${name}.png`);

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
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
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
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/graphql' && r.method() === 'POST')
      graphqlRequests.push({ method: r.method(), headers: r.headers() });
  });

  const response = await page.goto(s.url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toMatch(/^text\/html/);

  // GraphiQL is up, with the docs/api.md example query in the editor.
  const editor = page.locator('.graphiql-query-editor');
  await editor.waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-query-editor .CodeMirror-line', { hasText: 'query SourcePage' }).waitFor({ timeout: 30_000 });
  expect(await editor.innerText()).toContain('source(id: "YmFkZjUwMz")');

  // The headers pane is open and editable: a header typed there goes with the request.
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  await headers.click();
  await page.keyboard.type('{"x-factlog-playground": "yes"');

  // Run it from the keyboard, as a person would (Ctrl-Enter in the query editor).
  await page
    .locator('.graphiql-query-editor .CodeMirror-line')
    .first()
    .click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('Control+Enter');
  await page.locator('.graphiql-response', { hasText: TITLE }).waitFor({ timeout: 30_000 });
  const result = await page.locator('.graphiql-response').innerText();
  expect(result).toContain('"stableId": "YmFkZjUwMz"');
  expect(result).not.toContain('"errors"');

  mkdirSync(path.dirname(screenshot('playground')), { recursive: true });
  await page.screenshot({ path: screenshot('playground') });

  const run = graphqlRequests.filter((r) => r.headers['x-factlog-playground'] === 'yes');
  expect(run.length).toBeGreaterThanOrEqual(1);
  expect(offsite).toEqual([]);
  expect(problems).toEqual([]);
  await context.close();
});

/** A browser context that lets nothing leave `server`, and collects what went wrong on its page. */
async function offlinePage(server: SeededServer): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  await context.route('**/*', async (route) => {
    if (new URL(route.request().url()).origin === server.origin) await route.continue();
    else {
      problems.push(`offsite: ${route.request().url()}`);
      await route.abort('internetdisconnected');
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url, { waitUntil: 'load' });
  await page.locator('.graphiql-query-editor .CodeMirror-line', { hasText: 'query SourcePage' }).waitFor({ timeout: 30_000 });
  return { context, page, problems };
}

/** GraphiQL's editors are CodeMirror 5 instances, reachable from their wrapper element. */
interface CodeMirrorElement {
  CodeMirror: { getValue(): string; setValue(value: string): void };
}

/** The query editor's text, set as if pasted (typing would be fought by autocompletion and auto-closed brackets). */
async function setQuery(page: Page, text: string): Promise<void> {
  await page.locator('.graphiql-query-editor .CodeMirror').evaluate((el, value) => {
    (el as unknown as CodeMirrorElement).CodeMirror.setValue(value);
  }, text);
}

async function queryText(page: Page): Promise<string> {
  return page.locator('.graphiql-query-editor .CodeMirror').evaluate((el) => (el as unknown as CodeMirrorElement).CodeMirror.getValue());
}

it('runs a subscription over graphql-ws, with the Headers pane as its connectionParams, and shows the change a mutation makes', async () => {
  const server = await startSeededServer();
  const { context, page, problems } = await offlinePage(server);
  try {
    const { key } = await new ApiKeys(server.app.database.db).create('playground', 'editor');
    const sockets: { url: string; sent: string[] }[] = [];
    page.on('websocket', (ws) => {
      const socket = { url: ws.url(), sent: [] as string[] };
      sockets.push(socket);
      ws.on('framesent', (f) => socket.sent.push(String(f.payload)));
    });

    await page.locator('.graphiql-editor-tool .graphiql-editor').last().click();
    await page.keyboard.type(`{"Authorization": "Bearer ${key}"`);
    await setQuery(page, 'subscription Live {\n  sourceChanged(id: "YmFkZjUwMz") { position event { type actor } source { title } }\n}\n');
    // GraphiQL reads the editor a moment after a change; the explorer naming the new operation shows it has.
    await page.locator('.graphiql-explorer-root input[value="Live"]').waitFor({ timeout: 30_000 });
    await page
      .locator('.graphiql-query-editor .CodeMirror-line')
      .first()
      .click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('Control+Enter');
    // Running: the execute button turns into the stop button while the subscription is open.
    await page.locator('.graphiql-execute-button[aria-label^="Stop query"]').waitFor({ timeout: 30_000 });

    // The stop button shows that GraphiQL sent the subscription, not that the server has registered
    // it yet; an event committed before then is (rightly) not delivered. So rename until a rename
    // arrives, each under its own title, and check the one that did.
    let delivered: { title: string; position: string } | undefined;
    for (let attempt = 1; !delivered && attempt <= 15; attempt++) {
      const title = `Activating ASL-3 protections, renamed live ${attempt}`;
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: `mutation { updateSource(input: { id: "YmFkZjUwMz", set: { title: "${title}" } }) { position } }` }),
      });
      const mutation = (await res.json()) as { data?: { updateSource: { position: string } }; errors?: unknown };
      expect(mutation.errors).toBeUndefined();
      const shown = await page
        .locator('.graphiql-response', { hasText: title })
        .waitFor({ timeout: 2_000 })
        .then(
          () => true,
          () => false,
        );
      if (shown) delivered = { title, position: mutation.data!.updateSource.position };
    }
    expect(delivered).toBeDefined();
    const result = await page.locator('.graphiql-response').innerText();
    expect(result).toContain('"type": "SourceUpdated"');
    expect(result).toContain('"actor": "playground"');
    expect(result).toContain(`"position": "${delivered!.position}"`);
    expect(result).toContain(delivered!.title);
    expect(result).not.toContain('"errors"');
    // One socket, to this server's own /graphql, and the key went with it (a server with
    // FACTLOG_ANONYMOUS=none needs it: tests/clients/subscription-auth.test.ts).
    expect(sockets.map((w) => w.url)).toEqual([server.url.replace('http:', 'ws:')]);
    expect(JSON.parse(sockets[0]!.sent[0]!)).toEqual({ type: 'connection_init', payload: { Authorization: `Bearer ${key}` } });
    await page.screenshot({ path: screenshot('playground-subscription') });
    expect(problems).toEqual([]);
  } finally {
    await context.close();
    await server.stop();
  }
});

it('has the explorer open beside the editor, and a click there adds a field to the query', async () => {
  const { context, page, problems } = await offlinePage(s);
  try {
    const explorer = page.locator('.graphiql-explorer-root');
    await explorer.waitFor({ timeout: 30_000 });
    // It reads the schema and the query in the editor: the example's operation, its fields ticked.
    await explorer.locator('input[value="SourcePage"]').waitFor({ timeout: 30_000 });
    // An argument's value shows whole in its input.
    for (const value of ['SourcePage', 'YmFkZjUwMz', '400']) {
      const input = explorer.locator(`input[value="${value}"]`);
      const fits = await input.evaluate((el) => {
        const box = el as unknown as { scrollWidth: number; clientWidth: number };
        return box.scrollWidth <= box.clientWidth;
      });
      expect({ value, fits }).toEqual({ value, fits: true });
    }
    expect(await queryText(page)).not.toContain('abstract');
    // Source's abstract: the only one shown, as the example query opens only source among the types that have one.
    await explorer.locator('[data-field-name="abstract"]').click();
    // The explorer rewrites the query, one field a line; the editor draws only the lines in view, so ask it for its text.
    const editor = await page.locator('.graphiql-query-editor .CodeMirror').elementHandle();
    await page.waitForFunction(
      (el) => /source\(id: "YmFkZjUwMz"\) \{[^]*\n {4}abstract\n/.test((el as unknown as CodeMirrorElement).CodeMirror.getValue()),
      editor,
      { timeout: 30_000 },
    );
    expect(await queryText(page)).toContain('cachedContent {');
    await page.screenshot({ path: screenshot('playground-explorer') });
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});

it('wraps a long line in the editor instead of running it past the pane', async () => {
  const { context, page, problems } = await offlinePage(s);
  try {
    const long = `# ${'a long comment line '.repeat(20)}END`;
    await setQuery(page, `${long}\n{ __typename }\n`);
    const line = page.locator('.graphiql-query-editor .CodeMirror-line', { hasText: 'END' });
    await line.waitFor({ timeout: 30_000 });
    const short = page.locator('.graphiql-query-editor .CodeMirror-line', { hasText: '__typename' });
    // Wrapped, the long line takes several rows of the pane; cut, it would take one like the short line.
    const rows = (await line.boundingBox())!.height / (await short.boundingBox())!.height;
    expect(rows).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
});
