import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { EXAMPLE_QUERY, SEARCH_EXAMPLE_QUERY } from './example-query';
import { FAVICON_ICO } from './favicon';

export { EXAMPLE_QUERY, SEARCH_EXAMPLE_QUERY } from './example-query';

/**
 * The GraphiQL playground, served by Factlog itself: the page on `GET <endpoint>` for browsers, and its
 * scripts and styles from the npm packages in node_modules (graphiql's prebuilt UMD bundle, which
 * carries the graphql-ws client its subscriptions use, the explorer plugin's, React 18's UMD builds).
 * Nothing is loaded from a CDN, so it works with no internet access; the page's
 * Content-Security-Policy only lets it load from and talk to this server (WebSocket included).
 */

/** Where the assets are served, relative to the server root (the page links them relative to itself). */
export const PLAYGROUND_ASSETS_PATH = '/playground/assets';

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** The only package files served under PLAYGROUND_ASSETS_PATH: name → absolute path. */
function assetFiles(): Map<string, string> {
  const graphiql = packageDir('graphiql');
  const react = packageDir('react');
  const reactDom = packageDir('react-dom');
  const explorer = path.join(packageDir('@graphiql/plugin-explorer'), 'dist');
  return new Map([
    ['react.production.min.js', path.join(react, 'umd', 'react.production.min.js')],
    ['react-dom.production.min.js', path.join(reactDom, 'umd', 'react-dom.production.min.js')],
    ['graphiql.min.js', path.join(graphiql, 'graphiql.min.js')],
    ['graphiql.min.js.map', path.join(graphiql, 'graphiql.min.js.map')],
    ['graphiql.min.css', path.join(graphiql, 'graphiql.min.css')],
    ['graphiql.min.css.map', path.join(graphiql, 'graphiql.min.css.map')],
    ['plugin-explorer.umd.js', path.join(explorer, 'index.umd.js')],
    ['plugin-explorer.css', path.join(explorer, 'style.css')],
  ]);
}

/** The assets' URL relative to the page at `pagePath`, so the page also works behind a path prefix. */
function assetsRelativeTo(pagePath: string): string {
  const depth = pagePath
    .slice(0, pagePath.lastIndexOf('/') + 1)
    .split('/')
    .filter(Boolean).length;
  return `${depth > 0 ? '../'.repeat(depth) : './'}${PLAYGROUND_ASSETS_PATH.slice(1)}`;
}

/** Mounts GraphiQL from the globals the UMD bundles define (React, ReactDOM, GraphiQL, GraphiQLPluginExplorer). */
const BOOT_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('factlog-playground-config').textContent);
  // The API answers on the very URL this page was served from, subscriptions (graphql-ws) included.
  var url = new URL(window.location.pathname, window.location.href).href;
  // The Headers pane's JSON goes with each subscription as its connectionParams, so an API key typed
  // there ({"Authorization": "Bearer ..."}) authorizes subscriptions as it does queries.
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: url.replace(/^http/, 'ws') });
  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var container = document.getElementById('graphiql');
  // GraphiQL's editors do not wrap, and a long line ran out of sight past the pane's edge.
  function wrapLongLines() {
    container.querySelectorAll('.CodeMirror').forEach(function (el) {
      var editor = el.CodeMirror;
      if (editor && !editor.getOption('lineWrapping')) editor.setOption('lineWrapping', true);
    });
  }
  new MutationObserver(function (records) {
    if (records.some(function (r) { return r.addedNodes.length > 0; })) wrapLongLines();
  }).observe(container, { childList: true, subtree: true });
  var root = ReactDOM.createRoot(container);
  root.render(
    React.createElement(
      GraphiQL,
      {
        fetcher: fetcher,
        defaultQuery: config.defaultQuery,
        // The example page first, then a search: one tab each.
        defaultTabs: config.defaultTabs,
        defaultHeaders: config.defaultHeaders,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: 'headers',
        plugins: [explorer],
        visiblePlugin: explorer,
      },
      React.createElement(GraphiQL.Logo, null, 'Factlog'),
    ),
  );
})();
`;

const PAGE_CSS = `html, body, #graphiql { height: 100%; margin: 0; }
#graphiql > .loading { font-family: system-ui, sans-serif; padding: 2rem; color: #555; }
/* The explorer sizes an argument's input to its value in ch: that fits only a monospaced font, and
   only when GraphiQL's border-box sizing does not take the padding out of that width. */
.graphiql-explorer-root input { font-family: var(--font-family-mono); box-sizing: content-box; padding: 0 1px; }
`;

const DEFAULT_QUERY = `# Factlog: the example page of docs/api.md in one query.
# Run it with Ctrl-Enter (Cmd-Enter) or the ▶ button.
# Request headers (API keys) go in the Headers tab, as JSON.

${EXAMPLE_QUERY}`;

const SEARCH_TAB = `# Search: names, aliases, prefixes, typos and words of summaries, best first (docs/api.md, "Search").

${SEARCH_EXAMPLE_QUERY}`;

/** Only non-executable data goes into the page; `<` is escaped so the JSON cannot close the script element. */
function configJson(): string {
  return JSON.stringify({
    defaultQuery: DEFAULT_QUERY,
    defaultTabs: [{ query: DEFAULT_QUERY }, { query: SEARCH_TAB }],
    defaultHeaders: '',
  }).replace(/</g, '\\u003c');
}

function page(assets: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Factlog · GraphQL playground</title>
<link rel="icon" href="${assets}/favicon.ico">
<link rel="stylesheet" href="${assets}/graphiql.min.css">
<link rel="stylesheet" href="${assets}/plugin-explorer.css">
<link rel="stylesheet" href="${assets}/playground.css">
</head>
<body>
<div id="graphiql"><div class="loading">Loading the GraphQL playground…</div></div>
<script id="factlog-playground-config" type="application/json">${configJson()}</script>
<script src="${assets}/react.production.min.js"></script>
<script src="${assets}/react-dom.production.min.js"></script>
<script src="${assets}/graphiql.min.js"></script>
<script src="${assets}/plugin-explorer.umd.js"></script>
<script src="${assets}/playground.js"></script>
</body>
</html>
`;
}

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** Assets made here rather than read from a package: name → media type and body. */
const GENERATED = new Map<string, { type: string; body: string | Buffer }>([
  ['playground.js', { type: 'text/javascript', body: BOOT_SCRIPT }],
  ['playground.css', { type: 'text/css', body: PAGE_CSS }],
  ['favicon.ico', { type: 'image/x-icon', body: FAVICON_ICO }],
]);

function sendGenerated(res: Response, asset: { type: string; body: string | Buffer }): void {
  res.type(asset.type).set('Cache-Control', 'no-cache').send(asset.body);
}

/** The media types a GraphQL client asks for; a browser navigating to the URL prefers text/html over them. */
const GRAPHQL_TYPES = ['application/graphql-response+json', 'application/json', 'multipart/mixed'];

/**
 * A browser opening the endpoint: a GET (or HEAD) that prefers HTML and carries no `query` parameter.
 * Anything else (GraphQL-over-HTTP GETs with ?query=, POSTs, clients accepting JSON or `*\/*`) goes to the API.
 */
export function wantsPlayground(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const query = req.query as Record<string, unknown> | undefined;
  if (query && query.query !== undefined) return false;
  return req.accepts([...GRAPHQL_TYPES, 'text/html']) === 'text/html';
}

/**
 * The playground's routes: the page on `GET endpoint` for browsers (others fall through to the API),
 * and its assets under PLAYGROUND_ASSETS_PATH. Mount it on the app root, before the API's middleware.
 */
export function playgroundRouter(options: { endpoint: string }): Router {
  const endpoint = options.endpoint;
  const files = assetFiles();
  const pages = new Map<string, string>();
  const html = (assets: string): string => {
    let text = pages.get(assets);
    if (text === undefined) pages.set(assets, (text = page(assets)));
    return text;
  };
  const router = express.Router();

  // Browsers ask every origin for /favicon.ico; the page links the one under the assets, which also
  // works behind a path prefix.
  router.get('/favicon.ico', (_req, res) => {
    sendGenerated(res, GENERATED.get('favicon.ico')!);
  });

  router.get(`${PLAYGROUND_ASSETS_PATH}/:file`, (req, res, next) => {
    const name = req.params.file;
    const generated = typeof name === 'string' ? GENERATED.get(name) : undefined;
    if (generated) {
      sendGenerated(res, generated);
      return;
    }
    const file = typeof name === 'string' ? files.get(name) : undefined;
    if (!file) {
      next();
      return;
    }
    res.sendFile(file, { maxAge: '1d' });
  });

  router.get(endpoint, (req, res, next) => {
    // The same URL answers HTML or GraphQL depending on Accept: caches must keep them apart.
    res.vary('Accept');
    if (!wantsPlayground(req)) {
      next();
      return;
    }
    res
      .status(200)
      .type('html')
      .set({
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      })
      .send(html(assetsRelativeTo(req.path)));
  });

  return router;
}
