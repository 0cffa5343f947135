/**
 * Append benchmark: what does EventStore.append cost next to a bare INSERT on the same database?
 *
 * The event store serializes every append on the `log_head` row (see the ordering strategy in
 * src/store/event-store.ts), so its throughput should not grow with writers the way plain inserts do.
 * This script puts a number on that price. It prints figures and asserts nothing.
 *
 *   npm run bench:append -- --help
 */
import os from 'node:os';
import type pg from 'pg';
import { EventStore, type EventToAppend } from '../src/store/event-store';
import { createBaselineTable, insertBaselineRows } from './lib/baseline';
import { Cleanup, describeError, runMain } from './lib/cleanup';
import { parseCommandLine, UsageError, USAGE, type BenchOptions } from './lib/cli';
import { runPhase, type PhaseShape, type Transact } from './lib/driver';
import { factAssertedData, payloadBytes } from './lib/payload';
import { Progress } from './lib/progress';
import { summarizeLatencies, type LatencySummary } from './lib/stats';
import { formatTable, type Column } from './lib/table';
import { openPgliteTarget, openPostgresTarget, type BenchTarget } from './lib/target';

/** 8 writers plus one spare, so no writer ever waits for a connection rather than for the database. */
const POOL_SIZE = 10;

interface Scenario {
  key: string;
  label: string;
  writers: number;
  eventsPerTx: number;
}

const SCENARIOS: readonly Scenario[] = [
  { key: '1-writer', label: '1 writer × 1 event/tx', writers: 1, eventsPerTx: 1 },
  { key: '8-writers', label: '8 writers × 1 event/tx', writers: 8, eventsPerTx: 1 },
  { key: 'batch-100', label: '1 writer × 100 events/tx', writers: 1, eventsPerTx: 100 },
];

interface SideResult {
  events: number;
  transactions: number;
  seconds: number;
  eventsPerSecond: number;
  latencyMs: LatencySummary;
}

interface ScenarioResult {
  scenario: Scenario;
  factlog: SideResult;
  baseline: SideResult;
  /** Factlog events/s as a percentage of baseline events/s. */
  ratioPercent: number;
}

/** Given a scenario, a side sets up its streams and returns how it commits one transaction. */
type Side = (scenario: Scenario) => Transact;

// Built once, outside the timed transactions, so that neither side is charged for making test data.
const PAYLOADS = Array.from({ length: 997 }, (_, i) => factAssertedData(i));
let payloadSeq = 0;
const nextPayload = (): Record<string, unknown> => PAYLOADS[payloadSeq++ % PAYLOADS.length];

const streamNames = (scenario: Scenario): string[] => Array.from({ length: scenario.writers }, (_, w) => `bench-${scenario.key}-w${w}`);

/** EventStore.append with the writer's known version, as a command handler that just loaded its stream would. */
function factlogSide(store: EventStore): Side {
  return (scenario) => {
    const streams = streamNames(scenario);
    const versions = streams.map(() => 0);
    return async (writer, count) => {
      const events: EventToAppend[] = Array.from({ length: count }, () => ({ type: 'FactAsserted', data: nextPayload() }));
      const result = await store.append(streams[writer], versions[writer], events);
      versions[writer] = result.version;
    };
  };
}

/** The least a transactional event log could do: BEGIN, one (multi-row) INSERT, COMMIT. */
function baselineSide(pool: pg.Pool): Side {
  return (scenario) => {
    const streams = streamNames(scenario);
    return async (writer, count) => {
      await insertBaselineRows(
        pool,
        Array.from({ length: count }, () => ({ stream: streams[writer], data: nextPayload() })),
      );
    };
  };
}

/** At least one transaction per writer, so every connection and stream is warm before timing starts. */
function warmupShape(scenario: Scenario, warmup: number): PhaseShape {
  const events = warmup === 0 ? 0 : Math.max(warmup, scenario.writers * scenario.eventsPerTx);
  return { events, eventsPerTx: scenario.eventsPerTx, writers: scenario.writers };
}

async function measureSide(name: string, scenario: Scenario, side: Side, options: BenchOptions, signal: AbortSignal): Promise<SideResult> {
  const transact = side(scenario);
  const progress = new Progress(`running: ${scenario.label} · ${name}`, options.events);
  try {
    await runPhase(warmupShape(scenario, options.warmup), transact, signal);
    const shape = { events: options.events, eventsPerTx: scenario.eventsPerTx, writers: scenario.writers };
    const phase = await runPhase(shape, transact, signal, (done) => progress.update(done));
    progress.finish(phase.seconds);
    return {
      events: phase.events,
      transactions: phase.transactions,
      seconds: phase.seconds,
      eventsPerSecond: phase.events / phase.seconds,
      latencyMs: summarizeLatencies(phase.latenciesMs),
    };
  } catch (err) {
    progress.abandon();
    throw err;
  }
}

async function runScenario(
  scenario: Scenario,
  sides: { factlog: Side; baseline: Side },
  options: BenchOptions,
  signal: AbortSignal,
): Promise<ScenarioResult> {
  const factlog = await measureSide('Factlog', scenario, sides.factlog, options, signal);
  const baseline = await measureSide('baseline', scenario, sides.baseline, options, signal);
  return { scenario, factlog, baseline, ratioPercent: (100 * factlog.eventsPerSecond) / baseline.eventsPerSecond };
}

interface RunContext {
  target: BenchTarget;
  options: BenchOptions;
  poolSize: number;
}

const rate = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (n: number): string => n.toFixed(2);

const COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'scenario', align: 'left', cell: (r) => r.scenario.label },
  { header: 'tx', align: 'right', cell: (r) => String(r.factlog.transactions) },
  { header: 'Factlog ev/s', align: 'right', cell: (r) => rate(r.factlog.eventsPerSecond) },
  { header: 'baseline ev/s', align: 'right', cell: (r) => rate(r.baseline.eventsPerSecond) },
  { header: 'ratio', align: 'right', cell: (r) => `${r.ratioPercent.toFixed(1)}%` },
  { header: 'Factlog p50', align: 'right', cell: (r) => ms(r.factlog.latencyMs.p50) },
  { header: 'Factlog p99', align: 'right', cell: (r) => ms(r.factlog.latencyMs.p99) },
  { header: 'baseline p50', align: 'right', cell: (r) => ms(r.baseline.latencyMs.p50) },
  { header: 'baseline p99', align: 'right', cell: (r) => ms(r.baseline.latencyMs.p99) },
];

function textReport(context: RunContext, results: readonly ScenarioResult[]): string {
  const { target, options } = context;
  return [
    `Factlog append benchmark`,
    `target:  ${target.description}, server ${target.serverVersion}, pool ${context.poolSize}`,
    `events:  ${options.events} per scenario and side, after ${options.warmup} warm-up; event data ${payloadBytes()} bytes of JSON`,
    `machine: Node ${process.version}, ${os.cpus().length} CPUs`,
    '',
    formatTable(COLUMNS, results),
    '',
    'ev/s: events per second; ratio: Factlog ev/s ÷ baseline ev/s; p50/p99: latency per transaction in ms (nearest rank).',
    '',
  ].join('\n');
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

function roundSide(side: SideResult): SideResult {
  return {
    events: side.events,
    transactions: side.transactions,
    seconds: round(side.seconds),
    eventsPerSecond: round(side.eventsPerSecond, 1),
    latencyMs: { p50: round(side.latencyMs.p50), p99: round(side.latencyMs.p99), max: round(side.latencyMs.max) },
  };
}

function jsonReport(context: RunContext, results: readonly ScenarioResult[]): string {
  const { target, options } = context;
  const report = {
    target: {
      kind: target.database.kind,
      description: target.description,
      serverVersion: target.serverVersion,
      poolSize: context.poolSize,
    },
    node: process.version,
    cpus: os.cpus().length,
    eventsPerScenario: options.events,
    warmupEvents: options.warmup,
    eventDataBytes: payloadBytes(),
    scenarios: results.map((r) => ({
      scenario: r.scenario.key,
      label: r.scenario.label,
      writers: r.scenario.writers,
      eventsPerTx: r.scenario.eventsPerTx,
      factlog: roundSide(r.factlog),
      baseline: roundSide(r.baseline),
      ratioPercent: round(r.ratioPercent, 1),
    })),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Ctrl-C or SIGTERM: stop the writers, close the pool and drop the schema, then exit 130. A second
 * Ctrl-C falls through to Node's default and kills the process at once.
 */
function handleSignals(cleanup: Cleanup, abort: AbortController): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    process.exitCode = 130;
    process.stderr.write(`\n${signal}: stopping and cleaning up (again to quit at once)…\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

async function benchmark(options: BenchOptions): Promise<number> {
  const cleanup = new Cleanup();
  const abort = new AbortController();
  handleSignals(cleanup, abort);
  try {
    const target = options.pglite ? await openPgliteTarget(cleanup) : await openPostgresTarget(options.databaseUrl, POOL_SIZE, cleanup);
    const pool = target.database.pool;
    await createBaselineTable(pool);
    const sides = { factlog: factlogSide(new EventStore(target.database)), baseline: baselineSide(pool) };
    const results: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) results.push(await runScenario(scenario, sides, options, abort.signal));
    const context = { target, options, poolSize: options.pglite ? 1 : POOL_SIZE };
    process.stdout.write(options.json ? jsonReport(context, results) : textReport(context, results));
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return 130;
    process.stderr.write(`append: ${err instanceof Error ? (err.stack ?? err.message) : describeError(err)}\n`);
    return 1;
  } finally {
    await cleanup.run();
  }
}

runMain('append', parseCommandLine, USAGE, (err): err is UsageError => err instanceof UsageError, benchmark);
