import fc from 'fast-check';
import { ApiKeys } from '../../src/auth/keys';
import { loadSeeds } from '../../src/seed';
import { startServer, type RunningServer } from '../../src/server';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { rawQuery } from '../support/test-database';

/**
 * Production hardening, part 3: hostile input over real HTTP. fast-check builds inputs for the schema's
 * mutations and time-travel queries — wrong types, 100 KB+ strings, deeply nested JSON, NUL, lone
 * surrogates, RTL and emoji, SQL-looking text, invalid partial dates, unknown ids, out-of-range `first`,
 * bogus cursors — and sends them as GraphQL variables (so they reach variable coercion) or inline.
 *
 * Some inputs are valid ones with hostile text in their text fields, so that hostile input is also
 * accepted and stored, and must then read back exactly as written.
 *
 * Property: every answer is a JSON object with `data` or `errors`; every error carries a code from the
 * API's set (never INTERNAL_SERVER_ERROR, never a 5xx); the server keeps answering (/readyz after every
 * request); and a rejected mutation leaves the event log exactly as it was (row count, head position
 * and hash). Each mutation's property must also get a share of its inputs past GraphQL's own checks
 * to the commands, and some accepted, so the fuzz cannot silently degrade into testing coercion only.
 * FACTLOG_FUZZ_RUNS=700 makes a longer hunt.
 */

const KNOWN_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_COMPLEX',
  'QUERY_TIMEOUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

let app: TestFactlog;
let server: RunningServer;
let url: string;
let base: string;
let editorKey: string;

beforeAll(async () => {
  app = await createTestFactlog();
  await loadSeeds(app.commands);
  editorKey = (await new ApiKeys(app.database.db).create('fuzzer', 'editor')).key;
  server = await startServer({ ...app, port: 0, host: '127.0.0.1', http: { rateLimitPerMinute: 0 } });
  base = `http://127.0.0.1:${server.port}`;
  url = `${base}/graphql`;
});
afterAll(async () => {
  await server?.stop();
  await app?.dispose();
});

// ---------------------------------------------------------------------------------------------------
// Placeholders: huge strings and deep nesting are generated as short tokens and expanded only when the
// body is written, so counterexamples stay readable and the test process never recurses 100 000 deep.

const HUGE_CHARS = ['x', '😀', '\u0000', 'é', "'", '\ud800', 'ب'];
const huge = (length: number, char: number): string => `\u0001HUGE:${length}:${char}\u0001`;
const deep = (depth: number, shape: 'array' | 'object'): string => `\u0001DEEP:${depth}:${shape}\u0001`;
const TOKEN = /"\\u0001(HUGE|DEEP):(\d+):(\w+)\\u0001"/g;

function expand(text: string, syntax: 'json' | 'graphql'): string {
  return text.replace(TOKEN, (_m, what: string, n: string, arg: string) => {
    const count = Number(n);
    if (what === 'HUGE') {
      const c = HUGE_CHARS[Number(arg)];
      return JSON.stringify(c.repeat(Math.ceil(count / c.length)));
    }
    if (arg === 'array') return `${'['.repeat(count)}1${']'.repeat(count)}`;
    const open = syntax === 'json' ? '{"a":' : '{a:';
    return `${open.repeat(count)}1${'}'.repeat(count)}`;
  });
}

/** A GraphQL literal for a JSON-ish value (object keys that are not GraphQL names make a parse error, which is fine). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ')}}`;
}

// ---------------------------------------------------------------------------------------------------
// Value generators.

const KNOWN_IDS = [
  'anthropic',
  'mK9pX3rQ7n',
  'E22',
  'Anthropic PBC',
  'alignment',
  'sandboxing',
  'safety-level',
  'YmFkZjUwMz',
  '7512ddb574f82249',
  'https://www.anthropic.com/news/activating-asl3-protections',
  'f_BnkEWenniQ',
  'f_R59LmVVzcw',
  'lab-culture',
];
const SQLISH = [
  "'; DROP TABLE events; --",
  "'); TRUNCATE events CASCADE; --",
  '" OR "1"="1',
  "' OR '1'='1' --",
  '1; SELECT pg_sleep(30)',
  '$1',
  '%',
  '_',
  '\\',
  "E'\\x00'",
  '*/ DELETE FROM log_head; /*',
  "anthropic' --",
  "f_BnkEWenniQ' OR 1=1 --",
];
const WEIRD = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\udc00\ud800',
  '\u202eevil\u202c',
  '\u200f\u05e2\u05d1\u05e8\u05d9\u05ea',
  'مرحبا بالعالم',
  '😀',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\ufeff',
  '\u200b',
  'e\u0301',
  '\uffff',
  '\ufffe',
  '\r\n',
  '𝕳𝖊𝖑𝖑𝖔',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'f_',
  'E',
  'E0',
  'E99999999999999999999',
  'https://',
  'http://x',
  'HTTPS://WWW.ANTHROPIC.COM/news/activating-asl3-protections',
  'a'.repeat(2001),
  '😀'.repeat(1001),
];

const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
const hugeString = fc.tuple(fc.constantFrom(100_000, 150_000, 400_000), fc.nat({ max: HUGE_CHARS.length - 1 })).map(([n, c]) => huge(n, c));
const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_IDS) },
  { weight: 3, arbitrary: fc.constantFrom(...WEIRD) },
  { weight: 2, arbitrary: fc.constantFrom(...SQLISH) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: codeUnits },
  { weight: 1, arbitrary: hugeString },
  // Under the 2000-character limits, but past btree's 2704-byte index row limit and incompressible.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1400, maxLength: 2000 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_IDS), fc.constantFrom(...WEIRD, ...SQLISH)).map(([a, b]) => a + b) },
);

const deepValue = fc
  .tuple(fc.constantFrom(20, 200, 2_000, 20_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
  .map(([d, s]) => deep(d, s));
const bigNumber = fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e300, -1e300, 5e-324, 1.5, -0.5, 0.1 + 0.2);

const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: nastyString },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), bigNumber) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: deepValue },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(
        fc.oneof(fc.constantFrom('low', 'high', 'min', 'a', 'value', '__proto__', 'constructor'), fc.string({ maxLength: 6 }), codeUnits),
        tie('value'),
        { maxKeys: 4 },
      ),
    },
  ),
})).value;

/** Anything at all: the generator for "wrong type". */
const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  bigNumber,
  nastyString,
  deepValue,
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), nastyString, { maxKeys: 3 }),
  jsonish,
);

const validDate = fc.oneof(
  fc.integer({ min: 1, max: 9999 }).map((y) => String(y).padStart(4, '0')),
  fc.tuple(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const invalidDate = fc.constantFrom(
  '2025-13',
  '2025-00',
  '2025-02-30',
  '2023-02-29',
  '2025-04-31',
  '0000',
  '-2025',
  '+2025',
  '99999',
  '2025-5',
  '2025-05-1',
  '25',
  '2025-05-22T00:00:00Z',
  ' 2025',
  '2025 ',
  '2025-W01',
  '2025/05/22',
  '２０２５',
  '٢٠٢٥',
  '2025-05-22\u0000',
  '',
  'today',
  '2025-1e1',
  '1e3',
  '0x7E9',
);
const partialDate = fc.oneof(validDate, invalidDate, fc.integer({ min: -5, max: 12_000 }));

const instant = fc.oneof(
  fc.constantFrom(
    '2025-01-01T00:00:00Z',
    '1970-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2025-13-01T00:00:00Z',
    '2025-02-30T00:00:00Z',
    '2025-01-01',
    'yesterday',
    '2025-01-01T25:00:00Z',
    '2025-01-01T00:00:00+14:00',
    '2025-01-01T00:00:00.123456789Z',
    '1900-01-01T00:00:00-23:59',
  ),
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(0, -1, 1e15, 8.64e15 + 1, 1.5),
);
const position = fc.oneof(
  fc.nat({ max: 60 }).map(String),
  fc.constantFrom(
    '999999999999999',
    '9007199254740993',
    '9'.repeat(40),
    '-1',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '',
    '١٢',
    '1.0',
    '+1',
    '00000000000000000001',
  ),
  fc.integer(),
);
const first = fc.oneof(fc.integer({ min: -3, max: 105 }), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 2 ** 31, 1e10, 1.5, '10', true));
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const cursor = fc.oneof(
  fc
    .constantFrom(
      'o:0',
      'o:1',
      'o:-1',
      'o:1.5',
      'o:1e400',
      'o:99999999999999999999',
      'o:9007199254740993',
      'o:',
      'k:',
      'k:anthropic',
      'k:zzzz',
      'x:1',
    )
    .map(b64),
  nastyString.map((s) => b64(`k:${s}`)),
  nastyString.map((s) => b64(`o:${s}`)),
  nastyString,
  fc.integer(),
);

// ---------------------------------------------------------------------------------------------------
// The schema's input types, as field → [kind, required].

type FieldKind =
  'str' | 'id' | 'int' | 'float' | 'bool' | 'json' | 'date' | 'strs' | 'citations' | 'citation' | 'display' | 'factPatch' | 'sourcePatch';
type Fields = Record<string, [FieldKind, boolean]>;

const META: Fields = { idempotencyKey: ['str', false], reason: ['str', false] };
const VERSIONED: Fields = { ...META, expectedVersion: ['int', false] };
const SOURCE_PATCH: Fields = {
  title: ['str', false],
  type: ['str', false],
  authors: ['strs', false],
  publishedDate: ['date', false],
  publication: ['id', false],
  credibilityOverride: ['int', false],
  abstract: ['str', false],
  summary: ['str', false],
  review: ['str', false],
  keyPoints: ['strs', false],
  tags: ['strs', false],
};
const FACT_PATCH: Fields = {
  value: ['json', false],
  asOf: ['date', false],
  validEnd: ['date', false],
  notes: ['str', false],
  rank: ['str', false],
  citations: ['citations', false],
};

/**
 * `plausible(n)` is a valid input (n makes its new ids unique); `hostile` names its text fields that
 * the fuzz overwrites with hostile text ("set.x" for a patch field), so that some hostile inputs are
 * accepted and their text must read back exactly as written (`payload` is the field the text shows up in).
 */
interface MutationSpec {
  name: string;
  input: string;
  fields: Fields;
  select: string;
  payload: string;
  plausible(n: number): Record<string, unknown>;
  hostile: string[];
}

/** correctFact's plausible input uses the fact's version at the time of sending. */
const CURRENT_VERSION = '\u0001CURRENT\u0001';

const MUTATIONS: MutationSpec[] = [
  {
    name: 'assertFact',
    input: 'AssertFactInput',
    select: 'position fact { id version notes value { __typename } }',
    payload: 'fact',
    plausible: (n) => ({ entity: 'anthropic', property: 'safety-level', value: `ASL-${n}`, asOf: String(3000 + (n % 6000)) }),
    hostile: ['notes', 'reason', 'idempotencyKey'],
    fields: {
      ...META,
      id: ['id', false],
      entity: ['id', true],
      property: ['id', true],
      value: ['json', true],
      asOf: ['date', false],
      validEnd: ['date', false],
      citations: ['citations', false],
      notes: ['str', false],
      rank: ['str', false],
    },
  },
  {
    name: 'correctFact',
    input: 'CorrectFactInput',
    select: 'position fact { id version notes }',
    payload: 'fact',
    plausible: (n) => ({ id: 'f_R59LmVVzcw', expectedVersion: CURRENT_VERSION, set: { notes: `note ${n}` } }),
    hostile: ['set.notes', 'reason'],
    fields: { ...META, id: ['id', true], expectedVersion: ['int', true], set: ['factPatch', false], unset: ['strs', false] },
  },
  {
    name: 'registerSource',
    input: 'RegisterSourceInput',
    select: 'position source { id url title summary }',
    payload: 'source',
    plausible: (n) => ({ url: `https://example.com/fuzz/${n}`, title: `Fuzz ${n}` }),
    hostile: ['title', 'summary', 'reason'],
    fields: { ...SOURCE_PATCH, url: ['str', true], stableId: ['str', false], ...META },
  },
  {
    name: 'updateSource',
    input: 'UpdateSourceInput',
    select: 'position source { id version title summary }',
    payload: 'source',
    plausible: (n) => ({ id: 'YmFkZjUwMz', set: { review: `review ${n}` } }),
    hostile: ['set.title', 'set.summary', 'reason'],
    fields: { ...VERSIONED, id: ['id', true], set: ['sourcePatch', false], unset: ['strs', false] },
  },
  {
    name: 'createPage',
    input: 'CreatePageInput',
    select: 'position page { slug title description }',
    payload: 'page',
    plausible: (n) => ({ slug: `fuzz-page-${n}`, title: `Fuzz ${n}` }),
    hostile: ['title', 'description', 'reason'],
    fields: {
      numericId: ['str', false],
      title: ['str', false],
      description: ['str', false],
      quality: ['float', false],
      entity: ['id', false],
      slug: ['id', true],
      ...META,
    },
  },
  {
    name: 'citeSource',
    input: 'CiteSourceInput',
    select: 'position page { slug version }',
    payload: 'page',
    plausible: () => ({ page: 'E22', source: 'https://www.anthropic.com/news/activating-asl3-protections' }),
    hostile: ['reason', 'idempotencyKey'],
    fields: { ...VERSIONED, page: ['id', true], source: ['id', true] },
  },
  {
    name: 'registerEntity',
    input: 'RegisterEntityInput',
    select: 'position entity { id slug name aliases }',
    payload: 'entity',
    plausible: (n) => ({ slug: `fuzz-entity-${n}`, name: `Fuzz ${n}`, type: 'organization' }),
    hostile: ['name', 'reason'],
    fields: {
      name: ['str', false],
      type: ['str', false],
      numericId: ['str', false],
      aliases: ['strs', false],
      id: ['id', false],
      slug: ['str', true],
      ...META,
    },
  },
  {
    name: 'defineProperty',
    input: 'DefinePropertyInput',
    select: 'position property { id dataType name description unit }',
    payload: 'property',
    plausible: (n) => ({ id: `fuzz-prop-${n}`, dataType: 'text', name: `Fuzz ${n}` }),
    hostile: ['name', 'description', 'unit', 'reason'],
    fields: {
      name: ['str', false],
      description: ['str', false],
      unit: ['str', false],
      category: ['str', false],
      temporal: ['bool', false],
      appliesTo: ['strs', false],
      display: ['display', false],
      inverseId: ['str', false],
      stalenessDays: ['int', false],
      id: ['id', true],
      dataType: ['str', true],
      ...META,
    },
  },
];

/** A value of the field's GraphQL type (with hostile content), or — when `wrong` — anything at all. */
function valueOf(kind: FieldKind, wrongRate: number): fc.Arbitrary<unknown> {
  const typed = typedValue(kind, wrongRate);
  if (wrongRate === 0) return typed;
  return fc.oneof(
    { weight: Math.round((1 - wrongRate) * 10), arbitrary: typed },
    { weight: Math.round(wrongRate * 10), arbitrary: anything },
  );
}

function typedValue(kind: FieldKind, wrongRate: number): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'str':
      return fc.oneof(
        nastyString,
        fc.constantFrom('number', 'text', 'json', 'preferred', 'deprecated', 'normal', 'organization', 'https://example.com/a'),
      );
    case 'id':
      return fc.oneof({ weight: 4, arbitrary: nastyString }, { weight: 1, arbitrary: fc.integer() });
    case 'int':
      return fc.oneof(fc.integer({ min: -2, max: 5 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    case 'float':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -10, max: 200 }), bigNumber);
    case 'bool':
      return fc.boolean();
    case 'json':
      return fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom('ASL-4', 42, { low: 1, high: 2 }, { min: 5 }, '2025-05', true, ['anthropic']) },
        { weight: 3, arbitrary: jsonish },
      );
    case 'date':
      return wrongRate === 0 ? fc.oneof({ weight: 6, arbitrary: validDate }, { weight: 1, arbitrary: partialDate }) : partialDate;
    case 'strs':
      return fc.array(nastyString, { maxLength: 4 });
    case 'citation':
      return record({ source: ['id', true], quote: ['str', false], locator: ['str', false] }, wrongRate);
    case 'citations':
      return fc.array(typedValue('citation', wrongRate), { maxLength: 3 });
    case 'display':
      return record({ divisor: ['float', false], prefix: ['str', false], suffix: ['str', false] }, wrongRate);
    case 'factPatch':
      return record(FACT_PATCH, wrongRate);
    case 'sourcePatch':
      return record(SOURCE_PATCH, wrongRate);
  }
}

/**
 * An input object: required fields usually present, optional ones sometimes; now and then null,
 * missing or an unknown field (rarely when `wrongRate` is 0, so that most such inputs get past
 * GraphQL's own checks and reach the commands).
 */
function record(fields: Fields, wrongRate: number): fc.Arbitrary<Record<string, unknown>> {
  const rare = wrongRate === 0 ? 1 : 4;
  const entries = Object.entries(fields).map(([name, [kind, required]]) => {
    const value = valueOf(kind, wrongRate);
    const presence = required
      ? fc.oneof(
          { weight: 60, arbitrary: value },
          { weight: rare, arbitrary: fc.constant(null) },
          { weight: rare, arbitrary: fc.constant(undefined) },
        )
      : fc.oneof(
          { weight: 12, arbitrary: fc.constant(undefined) },
          { weight: 12, arbitrary: value },
          { weight: rare, arbitrary: fc.constant(null) },
        );
    return fc.tuple(fc.constant(name), presence);
  });
  const extra = fc.oneof(
    { weight: 60, arbitrary: fc.constant(null) },
    { weight: rare, arbitrary: fc.tuple(fc.constantFrom('bogus', 'position', '__typename', 'stream'), anything) },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([pairs, more]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) if (v !== undefined) out[k] = v;
    if (more) out[more[0]] = more[1];
    return out;
  });
}

// ---------------------------------------------------------------------------------------------------
// HTTP and the property.

interface Answer {
  status: number;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(body: string, auth: string | null = `Bearer ${editorKey}`, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(auth ? { authorization: auth } : {}) },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, text, body: parseBody(res.status, text) };
}

function parseBody(status: number, text: string): Answer['body'] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${status}: the response is not JSON: ${text.slice(0, 300)}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new Error(`HTTP ${status}: the response is not a JSON object: ${text.slice(0, 300)}`);
  return body as Answer['body'];
}

/** The well-formedness half of the property. */
function checkAnswer(answer: Answer): void {
  const { status, body, text } = answer;
  const where = `HTTP ${status}: ${text.slice(0, 500)}`;
  if (status >= 500) throw new Error(`server error: ${where}`);
  if (!('data' in body) && !('errors' in body)) throw new Error(`neither data nor errors: ${where}`);
  if (body.errors !== undefined) {
    if (!Array.isArray(body.errors) || body.errors.length === 0) throw new Error(`errors is not a non-empty list: ${where}`);
    for (const e of body.errors) {
      if (typeof e.message !== 'string') throw new Error(`an error without a message: ${where}`);
      const code = e.extensions?.code;
      if (typeof code !== 'string' || !KNOWN_CODES.has(code)) throw new Error(`error code ${String(code)} is not an API code: ${where}`);
    }
  } else if (status !== 200) {
    throw new Error(`no errors, yet status ${status}: ${where}`);
  }
}

interface LogState {
  count: number;
  position: number;
  hash: string;
}

async function logState(): Promise<LogState> {
  const { rows } = await rawQuery(app.database, 'SELECT count(*)::int AS n FROM events');
  const head = await app.store.head();
  return { count: Number(rows[0].n), position: head.position, hash: head.hash };
}

/** Sends one request and checks the property; mutations that fail must leave the log as it was. */
async function probe(body: string, field: string | null, auth?: string | null): Promise<Answer> {
  const before = await logState();
  const answer = await send(body, auth);
  checkAnswer(answer);
  const after = await logState();
  const succeeded = field !== null && answer.body.errors === undefined && answer.body.data?.[field] != null;
  if (!succeeded) {
    if (after.count !== before.count || after.position !== before.position || after.hash !== before.hash) {
      throw new Error(
        `the log moved on a ${field ? 'rejected mutation' : 'query'}: ${JSON.stringify(before)} → ${JSON.stringify(after)}: ${answer.text.slice(0, 500)}`,
      );
    }
  } else if (after.count !== after.position) {
    throw new Error(`events (${after.count}) and head position (${after.position}) disagree`);
  }
  // Still answering, and ready.
  const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
  if (ready.status !== 200) throw new Error(`not ready after the request: ${ready.status} ${await ready.text()}`);
  return answer;
}

const AUTH = fc.oneof(
  { weight: 20, arbitrary: fc.constant<string | null | undefined>(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<string | null>(
      null,
      'Bearer flk_not-a-key',
      'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      'Bearer',
      "Bearer ' OR 1=1 --",
      `Bearer ${'k'.repeat(5000)}`,
    ),
  },
);

function requestText(query: string, variables: Record<string, unknown> | undefined, syntax: 'json' | 'graphql'): string {
  const body = JSON.stringify(variables === undefined ? { query } : { query, variables });
  return syntax === 'graphql' ? expandQuery(body) : expand(body, 'json');
}

/** For inline requests the literals live in the query string, where tokens were JSON-escaped twice. */
function expandQuery(body: string): string {
  return body.replace(/\\"\\\\u0001(HUGE|DEEP):(\d+):(\w+)\\\\u0001\\"/g, (_m, what: string, n: string, arg: string) => {
    const inner = expand(`"\\u0001${what}:${n}:${arg}\\u0001"`, 'graphql');
    return JSON.stringify(inner).slice(1, -1);
  });
}

/** Runs per property; FACTLOG_FUZZ_RUNS raises it for a longer hunt (the default keeps the file well under 90 s). */
const RUNS = Number(process.env.FACTLOG_FUZZ_RUNS) || 120;
const PARAMS = { numRuns: RUNS, endOnFailure: true };

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[keys[keys.length - 1]] = value;
}

let sequence = 0;

describe.each(MUTATIONS)('$name', (spec) => {
  it('answers hostile input with API errors and leaves the log alone when it refuses', async () => {
    const plausible = fc
      .subarray(spec.hostile, { minLength: 1, maxLength: 2 })
      .chain((names) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), nastyString))))
      .map((overlay) => ({ plausible: overlay }));
    const inputArb = fc.oneof(
      { weight: 3, arbitrary: record(spec.fields, 0) },
      { weight: 2, arbitrary: record(spec.fields, 0.3) },
      { weight: 1, arbitrary: anything },
      { weight: 3, arbitrary: plausible },
    );
    // How far requests got: refused before the resolver ran (parse, validation, coercion, auth), refused
    // by the command (an error with the mutation's path), or accepted. The fuzz must reach the domain.
    const reached = { before: 0, refused: 0, accepted: 0 };
    await fc.assert(
      fc.asyncProperty(
        inputArb,
        fc.constantFrom<'variables' | 'inline'>('variables', 'variables', 'variables', 'inline'),
        AUTH,
        async (generated, mode, auth) => {
          let input = generated;
          let overlay: [string, string][] = [];
          if (generated !== null && typeof generated === 'object' && 'plausible' in generated) {
            overlay = (generated as { plausible: [string, string][] }).plausible;
            input = spec.plausible(++sequence);
            for (const [name, text] of overlay) setPath(input as Record<string, unknown>, name, text);
            const record = input as Record<string, unknown>;
            if (record.expectedVersion === CURRENT_VERSION)
              record.expectedVersion = await app.store.streamVersion(`fact-${String(record.id)}`);
            // An idempotency key from an earlier run would replay that run's result (or refuse a different request).
            if (typeof record.idempotencyKey === 'string') record.idempotencyKey = `${record.idempotencyKey}-${sequence}`;
          }
          let body: string;
          if (mode === 'variables') {
            body = requestText(`mutation($input: ${spec.input}!) { ${spec.name}(input: $input) { ${spec.select} } }`, { input }, 'json');
          } else {
            body = requestText(`mutation { ${spec.name}(input: ${literal(input)}) { ${spec.select} } }`, undefined, 'graphql');
          }
          const answer = await probe(body, spec.name, auth);
          // Parse, validation, coercion and authentication failures answer 4xx; 200 means the resolver ran.
          const payload = answer.body.data?.[spec.name] as Record<string, Record<string, unknown> | null> | null | undefined;
          if (payload != null) {
            reached.accepted += 1;
            // What was accepted reads back exactly as it was written (no truncation, normalization or mojibake).
            const thing = payload[spec.payload];
            for (const [name, text] of overlay) {
              const field = name.split('.').pop()!;
              if (thing && field in thing && !text.includes('\u0001'))
                expect({ field, value: thing[field] }).toEqual({ field, value: text });
            }
          } else if (answer.status === 200) reached.refused += 1;
          else reached.before += 1;
        },
      ),
      PARAMS,
    );
    process.stderr.write(`fuzz ${spec.name}: ${JSON.stringify(reached)}\n`);
    expect(reached.refused + reached.accepted).toBeGreaterThanOrEqual(PARAMS.numRuns / 10);
    expect(reached.accepted).toBeGreaterThan(0);
  });
});

/** Deterministic text that does not compress (so a btree index cannot squeeze it under its row limit). */
function incompressible(length: number, from: number, span: number): string {
  let x = 12345;
  let out = '';
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += String.fromCodePoint(from + (x % span));
  }
  return out.slice(0, length);
}

it('refuses the known edge cases cleanly', async () => {
  const astral = incompressible(2000, 0x20000, 0x5000);
  const cjk = incompressible(2000, 0x4e00, 0x5000);
  const cases: [string, string, Record<string, unknown>][] = [
    ['registerEntity', 'RegisterEntityInput', { slug: 'edge-1', name: 'Edge', type: 'organization', idempotencyKey: astral }],
    ['registerEntity', 'RegisterEntityInput', { slug: 'edge-2', name: 'Edge', type: 'organization', idempotencyKey: cjk }],
    ['registerEntity', 'RegisterEntityInput', { slug: 'edge-3', name: 'Edge', type: 'organization', reason: cjk }],
    ['registerEntity', 'RegisterEntityInput', { slug: 'edge-4', name: 'Edge', type: 'organization', idempotencyKey: '\udc00\ud800' }],
    ['registerEntity', 'RegisterEntityInput', { slug: cjk, name: 'Edge', type: 'organization' }],
    ['registerEntity', 'RegisterEntityInput', { slug: 'edge-5', name: cjk.slice(0, 500), type: 'organization', aliases: [cjk] }],
    ['registerSource', 'RegisterSourceInput', { url: `https://example.com/${cjk}` }],
    ['registerSource', 'RegisterSourceInput', { url: 'https://example.com/edge', stableId: cjk }],
    ['createPage', 'CreatePageInput', { slug: cjk, title: 'Edge' }],
    ['createPage', 'CreatePageInput', { slug: 'edge-page', title: 'Edge', numericId: cjk }],
    ['defineProperty', 'DefinePropertyInput', { id: cjk, dataType: 'text', name: 'Edge' }],
    ['assertFact', 'AssertFactInput', { entity: 'anthropic', property: 'safety-level', value: 'x', id: cjk }],
    [
      'assertFact',
      'AssertFactInput',
      { entity: 'anthropic', property: 'safety-level', value: 'x', asOf: '2025', idempotencyKey: 'edge-key', notes: astral },
    ],
    ['correctFact', 'CorrectFactInput', { id: 'f_BnkEWenniQ', expectedVersion: 1, set: { notes: 'x' }, idempotencyKey: astral }],
    ['citeSource', 'CiteSourceInput', { page: cjk, source: cjk }],
  ];
  for (const [name, type, input] of cases) {
    await probe(
      expand(JSON.stringify({ query: `mutation($input: ${type}!) { ${name}(input: $input) { position } }`, variables: { input } }), 'json'),
      name,
    );
  }
  for (const id of [cjk, astral, `https://example.com/${cjk}`]) {
    await probe(
      JSON.stringify({
        query:
          'query($id: ID!) { source(id: $id) { id } entity(id: $id) { id } page(slug: $id) { slug } fact(id: $id) { id } property(id: $id) { id } }',
        variables: { id },
      }),
      null,
    );
  }
});

// ---- queries with both times and paging ----

const QUERIES = [
  {
    name: 'source',
    vars: '$id: ID!, $asOf: PartialDate, $knownAt: DateTime, $atPosition: String, $first: Int, $after: String',
    call: 'source(id: $id, asOf: $asOf, knownAt: $knownAt, atPosition: $atPosition) { id title publishedDate version facts(first: $first, after: $after) { totalCount nodes { id } pageInfo { endCursor } } citedBy(first: $first, after: $after) { nodes { slug } } history { position } }',
  },
  {
    name: 'entity',
    vars: '$id: ID!, $asOf: PartialDate, $knownAt: DateTime, $atPosition: String, $first: Int, $after: String, $property: ID!',
    call: 'entity(id: $id, asOf: $asOf, knownAt: $knownAt, atPosition: $atPosition) { id slug facts(first: $first, after: $after) { nodes { id displayValue } pageInfo { endCursor } } value(property: $property) { id } timeline(property: $property) { id } valueWithConflicts(property: $property, asOf: $asOf) { conflicts { id } } }',
  },
  {
    name: 'facts',
    vars: '$asOf: PartialDate, $knownAt: DateTime, $atPosition: String, $first: Int, $after: String, $entity: ID, $property: ID, $source: ID, $includeDeprecated: Boolean',
    call: 'facts(asOf: $asOf, knownAt: $knownAt, atPosition: $atPosition, first: $first, after: $after, entity: $entity, property: $property, source: $source, includeDeprecated: $includeDeprecated) { totalCount edges { cursor node { id value { __typename } } } pageInfo { hasNextPage endCursor } }',
  },
  {
    name: 'sources',
    vars: '$knownAt: DateTime, $atPosition: String, $first: Int, $after: String',
    call: 'sources(knownAt: $knownAt, atPosition: $atPosition, first: $first, after: $after) { totalCount nodes { id } pageInfo { endCursor } }',
  },
  {
    name: 'entities',
    vars: '$knownAt: DateTime, $atPosition: String, $first: Int, $after: String',
    call: 'entities(knownAt: $knownAt, atPosition: $atPosition, first: $first, after: $after) { totalCount nodes { id } pageInfo { endCursor } }',
  },
  {
    name: 'events',
    vars: '$first: Int, $after: String, $atPosition: String',
    call: 'events(first: $first, after: $after, afterPosition: $atPosition, toPosition: $atPosition) { totalCount nodes { position } pageInfo { endCursor } }',
  },
];

const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });
const queryArgs = fc
  .record(
    {
      id: fc.oneof(nastyString, fc.integer(), fc.constant(null)),
      asOf: maybe(partialDate),
      knownAt: maybe(instant),
      atPosition: maybe(position),
      first: maybe(first),
      after: maybe(cursor),
      property: fc.oneof(nastyString, fc.constant(null)),
      entity: maybe(nastyString),
      source: maybe(nastyString),
      includeDeprecated: maybe(fc.oneof(fc.boolean(), anything)),
    },
    { requiredKeys: [] },
  )
  .chain((args) =>
    fc.oneof(
      fc.constant(args),
      // Sometimes a wrong type anywhere.
      fc
        .tuple(
          fc.constantFrom('id', 'asOf', 'knownAt', 'atPosition', 'first', 'after', 'property', 'entity', 'source', 'includeDeprecated'),
          anything,
        )
        .map(([k, v]) => ({ ...args, [k]: v })),
    ),
  );

describe.each(QUERIES)('query $name', (q) => {
  it('answers hostile arguments with API errors and never moves the log', async () => {
    await fc.assert(
      fc.asyncProperty(queryArgs, fc.constantFrom<'variables' | 'inline'>('variables', 'variables', 'inline'), async (args, mode) => {
        const declared = new Set([...q.vars.matchAll(/\$(\w+)/g)].map((m) => m[1]));
        const variables = Object.fromEntries(Object.entries(args).filter(([k, v]) => declared.has(k) && v !== undefined));
        let body: string;
        if (mode === 'variables') {
          body = requestText(`query(${q.vars}) { ${q.call} }`, variables, 'json');
        } else {
          // Inline: each variable becomes a literal; absent ones become null (still a valid document for nullable args).
          const call = q.call.replace(/\$(\w+)/g, (_m, name: string) => literal((variables as Record<string, unknown>)[name] ?? null));
          body = requestText(`{ ${call} }`, undefined, 'graphql');
        }
        await probe(body, null);
      }),
      { ...PARAMS, numRuns: Math.ceil(RUNS * 0.7) },
    );
  });
});

// ---- the request envelope itself ----

it('answers malformed request envelopes in GraphQL shape', async () => {
  const q = '{ health { headPosition } }';
  const envelopes = fc.oneof(
    fc.constantFrom(
      JSON.stringify({ query: 5 }),
      JSON.stringify({ query: null }),
      JSON.stringify({}),
      JSON.stringify({ query: q, variables: 'x' }),
      JSON.stringify({ query: q, variables: [1] }),
      JSON.stringify({ query: q, operationName: 7 }),
      JSON.stringify({ query: q, operationName: 'Nope' }),
      JSON.stringify({ query: q, extensions: 'x' }),
      JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }),
      JSON.stringify({ query: q, extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }),
      JSON.stringify([{ query: q }, { query: q }]),
      JSON.stringify('query'),
      JSON.stringify(null),
      JSON.stringify({ query: `query A ${q} query B ${q}` }),
      JSON.stringify({ query: `{ ${'a: health { headPosition } '.repeat(500)} }` }),
      JSON.stringify({ query: `{ ${'health { '.repeat(200)} }` }),
      JSON.stringify({
        query: '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }',
      }),
      JSON.stringify({ query: 'mutation { __typename }' }),
      JSON.stringify({ query: 'subscription { events }' }),
      JSON.stringify({ query: q, variables: { x: 1 } }),
      '{',
      '',
      'null',
      '[]',
      '{"query": "{ health { headPosition } }"',
      '\u0000',
      `{"query": "${'{'.repeat(100_000)}"}`,
      `{"query": "{ health { headPosition } }", "variables": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 30 }).map((s) => JSON.stringify({ query: s })),
  );
  await fc.assert(
    fc.asyncProperty(envelopes, async (text) => {
      await probe(text, null);
    }),
    { ...PARAMS, numRuns: Math.ceil(RUNS * 0.7) },
  );
  // A body over the limit is refused at the edge, in GraphQL's shape.
  const tooBig = await probe(JSON.stringify({ query: q, variables: { pad: 'x'.repeat(1_100_000) } }), null);
  expect(tooBig.status).toBe(413);
  expect(tooBig.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
});

it('still serves ordinary requests after the fuzzing', async () => {
  await sleep(10);
  const answer = await send(JSON.stringify({ query: '{ fact(id: "f_BnkEWenniQ") { id version } health { headPosition } }' }));
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  expect((answer.body.data as { fact: { id: string } }).fact.id).toBe('f_BnkEWenniQ');
});
