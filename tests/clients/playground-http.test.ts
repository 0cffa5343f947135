import { startSeededServer, type SeededServer } from './seeded-server';

// The playground at the HTTP level: who gets the page, and that everything it loads comes from this server.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
let s: SeededServer;

beforeAll(async () => {
  s = await startSeededServer({ seeds: false });
});
afterAll(() => s?.stop());

async function getPage(): Promise<{ res: Response; html: string }> {
  const res = await fetch(s.url, { headers: { accept: BROWSER_ACCEPT } });
  return { res, html: await res.text() };
}

it('serves GraphiQL to a browser, with the docs/api.md example query and an editable headers pane', async () => {
  const { res, html } = await getPage();
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('vary')).toMatch(/accept/i);
  expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
  const config = JSON.parse(/<script id="factlog-playground-config" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!);
  expect(config.defaultQuery).toContain('query SourcePage {\n  source(id: "YmFkZjUwMz") {');
  expect(config.defaultQuery).toContain('cachedContent { preview(chars: 400) sizeKb }');
  // A second tab searches (docs/api.md, "Search").
  expect(config.defaultTabs.map((t: { query: string }) => t.query)).toEqual([
    config.defaultQuery,
    expect.stringContaining('search(query: "Antropic"'),
  ]);
});

it('loads nothing from another origin: every script and stylesheet is served here from node_modules', async () => {
  const { html } = await getPage();
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  expect(refs.length).toBeGreaterThanOrEqual(9);
  const types: Record<string, RegExp> = { css: /^text\/css/, js: /javascript/, ico: /^image\/x-icon/ };
  for (const ref of refs) {
    expect(ref).not.toMatch(/^(https?:)?\/\//);
    const asset = await fetch(new URL(ref, s.url));
    expect({ ref, status: asset.status }).toEqual({ ref, status: 200 });
    expect(asset.headers.get('content-type') ?? '').toMatch(types[ref.split('.').pop()!]!);
    const body = await asset.arrayBuffer();
    // The packages' bundles are big; Factlog's own boot script, stylesheet and icon are small.
    expect(body.byteLength).toBeGreaterThan(/\.umd\.js$|\.min\.js$/.test(ref) ? 10_000 : 50);
  }
  expect(refs).toEqual(
    expect.arrayContaining([
      './playground/assets/react.production.min.js',
      './playground/assets/react-dom.production.min.js',
      './playground/assets/graphiql.min.js',
      './playground/assets/graphiql.min.css',
      './playground/assets/plugin-explorer.umd.js',
      './playground/assets/plugin-explorer.css',
      './playground/assets/favicon.ico',
    ]),
  );
});

it('answers /favicon.ico with an icon, where browsers look for it on any page of this server', async () => {
  for (const at of ['/favicon.ico', '/playground/assets/favicon.ico']) {
    const res = await fetch(`${s.origin}${at}`);
    expect({ at, status: res.status }).toEqual({ at, status: 200 });
    expect(res.headers.get('content-type')).toMatch(/^image\/x-icon/);
    const ico = Buffer.from(await res.arrayBuffer());
    // An icon directory (reserved 0, type 1) of one 16×16 image at 32 bits, whose bytes all follow.
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect([ico[6], ico[7], ico.readUInt16LE(12)]).toEqual([16, 16, 32]);
    expect(ico.readUInt32LE(18) + ico.readUInt32LE(14)).toBe(ico.length);
  }
});

it('serves only the listed asset files', async () => {
  for (const name of ['package.json', 'constructor', '..%2Fpackage.json', 'index.js']) {
    const res = await fetch(`${s.origin}/playground/assets/${name}`);
    expect({ name, status: res.status }).toEqual({ name, status: 404 });
  }
});

it('keeps answering GraphQL clients on the same URL', async () => {
  // POST, as before.
  const post = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(post.status).toBe(200);
  expect(await post.json()).toMatchObject({ data: { __typename: 'Query' } });

  // GraphQL-over-HTTP GET with ?query=, even from a client that would accept HTML. As before, Apollo's
  // CSRF prevention wants a preflight header (or a non-simple content-type) on a GET.
  for (const accept of ['application/graphql-response+json', 'application/json', '*/*', BROWSER_ACCEPT]) {
    const get = await fetch(`${s.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept, 'apollo-require-preflight': 'true' },
    });
    expect({ accept, status: get.status }).toEqual({ accept, status: 200 });
    expect(get.headers.get('content-type')).toMatch(/json/);
    expect(await get.json()).toMatchObject({ data: { __typename: 'Query' } });
  }

  // A GET without a query from a non-browser client is a GraphQL error as before, not the page.
  for (const accept of [undefined, '*/*', 'application/json']) {
    const res = await fetch(s.url, { headers: accept ? { accept } : {} });
    expect(res.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(res.status).toBe(400);
  }
});
