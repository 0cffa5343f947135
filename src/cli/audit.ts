import { factValueFromStored, displayFactValue } from '../domain/fact-value';
import { compareReadModels, verifyLog, withReplay } from '../projections/audit';
import { resolveEntityId, resolveSourceId } from '../projections/lookup';
import { allFactsAt, type FactVersion } from '../projections/queries/facts';
import { pagesCitingAt, thingsAt } from '../projections/queries/things';
import { READ_MODEL_NAME_WIDTH, type FactlogDb } from '../projections/tables';
import { pinOptions, UsageError, wholeNumber, type Command } from './command';
import { progressBar } from './progress';
import { openForCommand } from './open';

/** A fact as the replay report shows it: its value in the display form a reader sees. */
const factReport = (f: FactVersion) => ({
  id: f.id,
  entity: f.entityId,
  property: f.propertyId,
  value: displayFactValue(factValueFromStored(f.value)),
  asOf: f.asOf,
  validEnd: f.validEnd,
  rank: f.rank,
  version: f.version,
});

export const auditCommand: Command = {
  name: 'audit',
  summary: 'verify the hash chain; replay the log and compare or reproduce past state',
  help: `
Usage: factlog audit verify [--from N] [--to N] [--json]
       factlog audit replay [--at N | --known-at TIME] [--entity ID] [--source ID] [--json]

verify   walks the log: hash chain, positions without holes, stream versions that go up by one,
         and every event parsing under its schema version. Prints events checked and events/s;
         on failure the first bad position and what is wrong, exit code 1.
replay   rebuilds every read model from the raw events alone into a scratch schema (dropped at the
         end; the live tables are never touched). Without --at/--known-at it compares each table with
         the live one (row counts, content checksum, sample rows that differ) and exits 1 on any
         difference. With --at or --known-at it rebuilds the state as of that moment; --entity and
         --source print a thing's state then (an entity with its facts, a source with its citing
         pages and facts), computed without trusting the live projections.

Options:
  --from N, --to N     verify a range of positions (inclusive)
  --at N               replay up to log position N
  --known-at TIME      replay up to the last event recorded at or before TIME (ISO 8601)
  --entity ID          stable id, slug, alias or numeric id
  --source ID          hex id, stable id or URL
  --json               machine-readable output

Environment:
  DATABASE_URL, FACTLOG_DATA_DIR   as for serve
`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    at: { type: 'string' },
    'known-at': { type: 'string' },
    entity: { type: 'string' },
    source: { type: 'string' },
    json: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(values, positionals) {
    const action = positionals[0];
    if ((action !== 'verify' && action !== 'replay') || positionals.length > 1)
      throw new UsageError('usage: factlog audit verify|replay [options]; see --help');
    const out = (text: string) => process.stdout.write(text);
    const app = await openForCommand();
    try {
      if (action === 'verify') {
        const started = Date.now();
        const bar = progressBar('verifying');
        const head = await app.store.head();
        const from = wholeNumber(values.from, '--from');
        // Past the head there is nothing to verify; without this the missing "event before --from" reads as tampering.
        if (from !== undefined && from > head.position + 1)
          throw new UsageError(`--from ${from} is past the end of the log (last position ${head.position})`);
        const report = await verifyLog(app.db, {
          from,
          to: wholeNumber(values.to, '--to'),
          onProgress: (n, p) => bar.update(p, head.position),
        });
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        const rate = Math.round(report.checked / Math.max(seconds, 0.001));
        if (values.json) out(`${JSON.stringify({ ...report, seconds, eventsPerSecond: rate })}\n`);
        else if (report.ok)
          out(
            `ok: ${report.checked} events checked (positions ${report.firstPosition ?? '-'}–${report.lastPosition ?? '-'}) in ${seconds.toFixed(1)} s, ${rate} events/s\n`,
          );
        else
          out(
            `FAILED at position ${report.firstBad!.position}: ${report.firstBad!.problem}\n(${report.checked} events before it were intact)\n`,
          );
        return report.ok ? 0 : 1;
      }

      const { knownAt, atPosition } = pinOptions(values, 'at');
      const pinned = knownAt !== undefined || atPosition !== undefined;
      const bar = progressBar('replaying');
      const result = await withReplay(
        app.db,
        { knownAt, atPosition },
        async (trx, replay) => {
          bar.stop();
          const db = trx as unknown as FactlogDb;
          const report: Record<string, unknown> = {
            position: replay.basis.position,
            recordedAt: replay.basis.recordedAt,
            events: replay.events,
          };
          if (!pinned) report.tables = await compareReadModels(trx, replay.scratchSchema, replay.liveSchema);
          const p = replay.basis.position;
          if (typeof values.entity === 'string') {
            const id = await resolveEntityId(db, values.entity);
            const entity = id ? ((await thingsAt(db, 'entity', [id], p)).get(id) ?? null) : null;
            const facts = id ? await allFactsAt(db, { entityIds: [id] }, { position: p, includeDeprecated: true }) : [];
            report.entity = entity && { ...entity.state, version: entity.version };
            // The entity is the one asked about, so each fact leaves it out.
            report.facts = facts.map((f) => {
              const { entity: _entity, ...rest } = factReport(f);
              return rest;
            });
          }
          if (typeof values.source === 'string') {
            const id = await resolveSourceId(db, values.source);
            const source = id ? ((await thingsAt(db, 'source', [id], p)).get(id) ?? null) : null;
            report.source = source && {
              ...source.state,
              content: source.state.content && { ...source.state.content, text: undefined },
              version: source.version,
            };
            // A merged-away source's citing pages and facts count for the one it was merged into, as in the API.
            const ids = source ? [source.state.id, ...source.state.mergedFrom] : [];
            const citing = await pagesCitingAt(db, ids, p);
            report.citedBy = [...new Set(ids.flatMap((s) => citing.get(s) ?? []))].sort();
            report.factsCiting =
              ids.length === 0 ? [] : (await allFactsAt(db, { sourceIds: ids }, { position: p, includeDeprecated: true })).map(factReport);
          }
          return report;
        },
        { onProgress: (d, t) => bar.update(d, t) },
      );
      bar.stop();
      const tables = result.tables as Awaited<ReturnType<typeof compareReadModels>> | undefined;
      const differs = tables?.some((t) => !t.equal) ?? false;
      if (values.json) out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        out(`replayed ${String(result.events)} events up to position ${String(result.position)}\n`);
        for (const t of tables ?? []) {
          out(
            `  ${t.equal ? 'equal    ' : 'DIFFERENT'} ${t.table.padEnd(READ_MODEL_NAME_WIDTH)} live ${t.live.rows} rows, replayed ${t.replayed.rows} rows\n`,
          );
          for (const row of t.onlyLive) out(`      only live:     ${row}\n`);
          for (const row of t.onlyReplayed) out(`      only replayed: ${row}\n`);
        }
        for (const key of ['entity', 'facts', 'source', 'citedBy', 'factsCiting'])
          if (key in result) out(`${key}: ${JSON.stringify(result[key], null, 2)}\n`);
        if (tables)
          out(differs ? 'the live read models differ from a replay of the log\n' : 'every live read model equals a replay of the log\n');
      }
      return differs ? 1 : 0;
    } finally {
      await app.close();
    }
  },
};
