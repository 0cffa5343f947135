import type { Effect, PhaseTotals } from '../sync/plan';
import type { SyncOptions } from '../sync/execute';
import { ANOMALY_KINDS, formatLoc, PHASES, type Anomaly, type AnomalyKind, type Phase } from '../sync/vocabulary';

// The report's shape lives here, not in index.ts, so that index → report is the only import between
// them: index builds a report, this file only reads one.
export interface PhaseReport extends PhaseTotals {
  /** What the run actually did (absent on a dry run). */
  applied: Partial<Record<Effect | 'rejected' | 'noop', number>>;
}

export interface ImportReport {
  source: 'longterm-wiki';
  dir: string;
  database: string;
  run: {
    correlationId: string;
    actor: string;
    reason: string;
    dryRun: boolean;
    batchSize: number;
    writer: 'batched' | 'handler';
    startedAt: string;
    origin?: SyncOptions['origin'];
  };
  seconds: { read: number; plan: number; sync: number; total: number; phases: Partial<Record<Phase, number>> };
  /** Records per file group, as read (before invalid ones were skipped). */
  inFiles: Record<string, number>;
  phases: Record<Phase, PhaseReport>;
  commands: number;
  batches: number;
  eventsAppended: number;
  /** Values converted to what the property expects, by kind of conversion. */
  conversions: Record<string, number>;
  /** File keys the domain model has no place for (not imported), with how often they occur. */
  unmapped: Record<string, number>;
  /** File keys with no typed field, kept verbatim in their kind's `attributes`, per kind.key. */
  untyped: Record<string, number>;
  anomalyCounts: Partial<Record<AnomalyKind, number>>;
  anomalies: Anomaly[];
  completed: boolean;
  error?: string;
}

/**
 * The human summary printed at the end of a run (`--json` prints the ImportReport itself). Anomalies
 * come first as one line per kind (each one listed only with `verbose`: the same hundreds of lines on
 * every run would bury what changed), and the counts last, so the totals are what stays on the screen.
 */

const COLUMNS: { title: string; effects: (Effect | 'rejected')[] }[] = [
  { title: 'new', effects: ['register', 'relate', 'cite', 'assert'] },
  { title: 'changed', effects: ['update', 'rename', 'correct'] },
  { title: 'removed', effects: ['unrelate', 'uncite', 'retract'] },
  { title: 'rejected', effects: ['rejected'] },
];

export interface FormatOptions {
  /** List every anomaly under its kind, not just the count. */
  verbose?: boolean;
}

export function formatReport(report: ImportReport, { verbose = false }: FormatOptions = {}): string {
  const out: string[] = [];
  const { run } = report;
  out.push(`Longterm Wiki import: ${report.dir} → ${report.database}${run.dryRun ? ' (dry run: nothing written)' : ''}`);
  out.push(`run ${run.correlationId} by ${run.actor}: ${run.reason}`);
  out.push('');

  const kinds = Object.keys(report.anomalyCounts) as AnomalyKind[];
  if (report.anomalies.length === 0) out.push('Anomalies: none');
  else {
    out.push(`Anomalies (${report.anomalies.length}${verbose ? '' : '; --verbose or --json lists each'}):`);
    for (const kind of kinds) {
      out.push(`  ${kind} (${report.anomalyCounts[kind]}): ${ANOMALY_KINDS[kind]}`);
      if (verbose) for (const a of report.anomalies) if (a.kind === kind) out.push(`    ${formatLoc(a)}: ${a.message}`);
    }
  }
  out.push('');

  const untyped = Object.entries(report.untyped);
  if (untyped.length) {
    const total = untyped.reduce((n, [, k]) => n + k, 0);
    out.push(
      `Kept untyped (in attributes, verbatim): ${total} values of ${untyped.length} keys${verbose ? ':' : '; --verbose or --json lists them'}`,
    );
    if (verbose) out.push(wrap(untyped.map(([k, n]) => `${k} ${n}`).join(', '), '  '));
    out.push('');
  }

  const unmapped = Object.entries(report.unmapped);
  if (unmapped.length) {
    out.push('Not imported (file keys the domain model has no field for), by occurrences:');
    out.push(wrap(unmapped.map(([k, n]) => `${k} ${n}`).join(', '), '  '));
    out.push('');
  }
  const conversions = Object.entries(report.conversions);
  if (conversions.length) {
    out.push(`Values converted to the property's type: ${conversions.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    out.push('');
  }

  const source = run.dryRun ? 'planned' : 'applied';
  const header = ['', 'in files', 'unchanged', ...COLUMNS.map((c) => c.title)];
  const rows = PHASES.map((phase) => {
    const p = report.phases[phase];
    const counts = (run.dryRun ? p.planned : p.applied) as Partial<Record<string, number>>;
    return [
      phase,
      String(p.inFiles),
      String(p.unchanged),
      ...COLUMNS.map((c) => String(c.effects.reduce((n, e) => n + (counts[e] ?? 0), 0))),
    ];
  });
  out.push(...table([header, ...rows]));
  out.push('');
  const s = report.seconds;
  out.push(
    `${report.commands} commands ${source} in ${report.batches} batches → ${report.eventsAppended} events appended` +
      ` (read ${s.read.toFixed(1)} s, plan ${s.plan.toFixed(1)} s, sync ${s.sync.toFixed(1)} s, total ${s.total.toFixed(1)} s)`,
  );
  out.push(
    kinds.length
      ? `Anomalies by kind: ${kinds.map((k) => `${k} ${report.anomalyCounts[k]}`).join(', ')} (total ${report.anomalies.length})`
      : 'Anomalies: none',
  );
  if (!report.completed) out.push(`STOPPED: ${report.error ?? 'unknown error'} — committed batches are kept; run again to finish.`);
  return out.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

function wrap(text: string, indent: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}
