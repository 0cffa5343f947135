/**
 * Shared vocabulary of the importers: where something is in a format's files, and what went wrong
 * there. Every stage (read → map → plan → sync) reports through the same Anomalies list, so the
 * summary can say for each problem which file and line it came from.
 */

/** A place in the input: a file relative to the data directory, its line, and the record it names. */
export interface Loc {
  file: string;
  /** 1-based line of the record (or of the error) in the file, when known. */
  line?: number;
  /** The record or field inside the file: an id, a slug, `facts[3]`, `f_x.asOf`. */
  at?: string;
}

export const ANOMALY_KINDS = {
  'missing-input': 'a file or folder of the data set is missing: that part was neither imported nor synced',
  'parse-error': 'a file is not valid YAML/JSON or not shaped as expected: it was skipped, and nothing it defined was retracted',
  'yaml-warning': 'the YAML parser warned (e.g. an unknown tag); the value was read as plain text',
  'invalid-record': 'a record lacks its id or a required field, or has one the domain refuses: the record was skipped',
  'invalid-field': 'a field value the domain refuses: that field was left out',
  'unparsable-value': 'a fact value or date that does not fit the property: the fact was skipped (an earlier import of it is kept)',
  'bare-year-date': 'a date known only to the year (published_date "2019", or an unquoted YAML number): imported with year precision',
  'imprecise-date':
    'a date with a month or day that does not exist (2024-00, 2024-13, 2024-02-30): imported at the precision that reads (2024, 2024-02)',
  'dangling-publication': 'a source names a publication that does not exist: the id was kept',
  'unknown-ref': 'a reference names no known entity: the reference was kept as written (a relation keeps the slug as its target)',
  'unknown-property': 'a fact uses a property that is not defined: the fact was skipped',
  'unknown-page': 'a resource is cited by a page that does not exist: that citation was skipped',
  'unknown-source': 'a fact cites a resource id that no resource has: that citation was left out',
  'duplicate-id': 'the same id (or url, slug, numericId, stable id) appears twice: the first one was kept',
  'duplicate-item': 'a list repeats an item: the repeat was dropped',
  'id-mismatch':
    "an id is not the one its item's key says (a resource id not sha256(url)[0:16], an entity type whose `type:` is not its file's name): stored under the latter",
  'snapshot-mismatch': "resources YAML and resources-snapshot.json disagree (ids or type): the snapshot's stable id and type were used",
  'snapshot-only': 'a source is only in resources-snapshot.json and nothing cites it: it was imported from the snapshot alone',
  'entity-mismatch': "entities/*.yaml and the things/*.yaml header disagree: the registry's value was used",
  'immutable-change': "the files change something the store keeps fixed (a dataType, a stable id, a fact's entity): not applied",
  rejected: 'the domain refused a command at run time: nothing was written for it',
  'unchecked-record-value':
    'a record value that does not fit its schema (an unknown field, a wrong type, an unknown entity, a collection with no schema): kept verbatim as unchecked',
} as const;
export type AnomalyKind = keyof typeof ANOMALY_KINDS;

export interface Anomaly extends Loc {
  kind: AnomalyKind;
  message: string;
}

/** Collects anomalies in the order they are found; every stage appends to the same list. */
export class Anomalies {
  readonly list: Anomaly[] = [];

  add(kind: AnomalyKind, loc: Loc, message: string): void {
    const anomaly: Anomaly = { kind, file: loc.file, message };
    if (loc.line !== undefined) anomaly.line = loc.line;
    if (loc.at !== undefined) anomaly.at = loc.at;
    this.list.push(anomaly);
  }

  countByKind(): Partial<Record<AnomalyKind, number>> {
    const out: Partial<Record<AnomalyKind, number>> = {};
    for (const a of this.list) out[a.kind] = (out[a.kind] ?? 0) + 1;
    return out;
  }
}

/** Counts things the files hold but the domain model has no place for (per `kind.field`). */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(key: string, n = 1): void {
    this.counts[key] = (this.counts[key] ?? 0) + n;
  }
}

export const formatLoc = (loc: Loc): string =>
  `${loc.file}${loc.line !== undefined ? `:${loc.line}` : ''}${loc.at !== undefined ? ` (${loc.at})` : ''}`;

/** The phases of a sync, in the order they run: each depends only on the ones before it. */
export const PHASES = [
  'publications',
  'properties',
  'entities',
  'relations',
  'sources',
  'pages',
  'citations',
  'facts',
  'recordSchemas',
  'entityTypes',
  'records',
] as const;
export type Phase = (typeof PHASES)[number];
