import type { Kind } from '../domain/events';
import type { AppendMetadata } from '../store/event-store';

/**
 * Commands as callers send them: references by the names people use (an entity's slug, a source's
 * URL), values still unchecked. The handler resolves and the domain validates.
 */
export type Command =
  | { type: 'RegisterPublication'; id: unknown; fields: unknown }
  | { type: 'UpdatePublication'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RegisterSource'; fields: unknown }
  | { type: 'UpdateSource'; source: string; set?: unknown; unset?: unknown }
  | { type: 'CaptureSourceContent'; source: string; content: unknown }
  | { type: 'MergeSources'; from: string; into: string }
  | { type: 'CreatePage'; slug: unknown; fields: unknown }
  | { type: 'UpdatePage'; page: string; set?: unknown; unset?: unknown }
  | { type: 'CiteSource'; page: string; source: string }
  | { type: 'UnciteSource'; page: string; source: string }
  | { type: 'RegisterEntity'; id?: string; fields: unknown }
  | { type: 'UpdateEntity'; entity: string; set?: unknown; unset?: unknown }
  | { type: 'RenameEntity'; entity: string; newSlug: unknown }
  /**
   * `target` names an entity (id, slug, alias, numeric id). With `unresolved`, it is a slug kept as
   * written because no entity has it (the importer's unknown references; the API never sets it).
   */
  | { type: 'RelateEntity'; entity: string; target: string; targetType?: unknown; relationship?: unknown; unresolved?: boolean }
  | { type: 'UnrelateEntity'; entity: string; target: string; relationship?: unknown; unresolved?: boolean }
  | { type: 'DefineProperty'; id: unknown; fields: unknown }
  | { type: 'UpdateProperty'; id: string; set?: unknown; unset?: unknown }
  | {
      type: 'AssertFact';
      id?: string;
      entity: string;
      property: string;
      value: unknown;
      asOf?: unknown;
      validEnd?: unknown;
      citations?: unknown;
      notes?: unknown;
      rank?: unknown;
    }
  | { type: 'CorrectFact'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RetractFact'; id: string; reason: unknown }
  | { type: 'DeprecateFact'; id: string; reason?: unknown }
  | { type: 'AddFactCitation'; id: string; citation: unknown }
  | { type: 'RemoveFactCitation'; id: string; source: string }
  | { type: 'RegisterRecordSchema'; id: unknown; fields: unknown }
  | { type: 'UpdateRecordSchema'; id: string; set?: unknown; unset?: unknown }
  | { type: 'RegisterEntityType'; id: unknown; fields: unknown }
  | { type: 'UpdateEntityType'; id: string; set?: unknown; unset?: unknown }
  /** `unchecked`: values an importer keeps as written because they do not fit the schema (never the API's). */
  | { type: 'CreateRecord'; entity: string; collection: unknown; key: unknown; fields: unknown; unchecked?: unknown }
  | { type: 'UpdateRecord'; entity: string; collection: unknown; key: unknown; set?: unknown; unset?: unknown; unchecked?: unknown }
  | { type: 'RemoveRecord'; entity: string; collection: unknown; key: unknown }
  /** `target`: "fact:<fact id>" or "record:<record id>@<field>"; `source` by id, stable id or URL. */
  | { type: 'RecordEvidence'; target: unknown; source: string; evidence: unknown }
  | { type: 'WithdrawEvidence'; target: unknown; source: string };

/** Who, why and under which idempotency key (the events' metadata), and the version the caller saw. */
export interface CommandOptions extends AppendMetadata {
  /** The version the caller last saw; a different current version is a CONFLICT. */
  expectedVersion?: number;
  /** Whose idempotency key it is (EventStore's AppendOptions); not stored in the events. */
  idempotencyScope?: string;
}

export interface CommandResult {
  kind: Kind;
  /** The id of the thing the command acted on (a page's slug). */
  id: string;
  stream: string;
  version: number;
  /** Position of the last event appended, or of the stream's last event when nothing changed. */
  position: number;
  changed: boolean;
  replayed: boolean;
  /** The log head right after the command's events committed (store's Committed); absent when none were written now. */
  head?: { position: number; recordedAt: string };
}
