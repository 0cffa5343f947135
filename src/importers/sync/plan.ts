import type { Command } from '../../commands/commands';
import { entityFields, type EntityFields } from '../../domain/entity';
import type { FieldSpecs } from '../../domain/fields';
import { pageFields, type PageFields } from '../../domain/page';
import { propertyFields, type PropertyFields } from '../../domain/property';
import { publicationFields, type PublicationFields } from '../../domain/publication';
import { recordSchemaFields, type RecordSchemaFields } from '../../domain/record-schema';
import { entityTypeFields, type EntityTypeFields } from '../../domain/entity-type';
import { sourceFields, type SourceFields } from '../../domain/source';
import { jsonEqual } from '../../store/canonical-json';
import { relationKey, type EntityRelation } from '../../domain/entity';
import { citationKey, importedRelationKey, type StoreSnapshot } from './store-snapshot';
import type { DesiredFact, DesiredState } from './desired';
import { Anomalies, PHASES, type Loc, type Phase } from './vocabulary';

/**
 * Planning (pure), for any format: the desired state and the store snapshot → the commands that make
 * the store match the files, and nothing else. Things are registered when new and patched field by field
 * when they differ (`set` for changed fields, `unset` for cleared ones); facts are asserted, corrected
 * or retracted. Equal states plan no command at all, so a re-run appends zero events.
 */

export const EFFECTS = [
  'register',
  'update',
  'rename',
  'relate',
  'unrelate',
  'cite',
  'uncite',
  'assert',
  'correct',
  'retract',
  'create',
  'remove',
] as const;
export type Effect = (typeof EFFECTS)[number];

export interface PlannedCommand {
  phase: Phase;
  effect: Effect;
  command: Command;
  /** Where in the files the change comes from (for a rejected command's anomaly). */
  loc: Loc;
  /** What the command is about, for messages: `entity anthropic`, `fact f_x`. */
  label: string;
}

export interface PhaseTotals {
  /** Things the files define for this phase (after skipping invalid records). */
  inFiles: number;
  /** Of those, already exactly as the files say. */
  unchanged: number;
  planned: Partial<Record<Effect, number>>;
}

export interface ImportPlan {
  commands: PlannedCommand[];
  totals: Record<Phase, PhaseTotals>;
}

/** Fields the importer owns per kind; anything else (credibilityOverride, rank, …) is left to the API. */
const MANAGED = {
  publication: ['name', 'domains', 'type', 'credibility', 'peerReviewed', 'description', 'attributes'] as (keyof PublicationFields)[],
  property: [
    'name',
    'description',
    'dataType',
    'unit',
    'category',
    'temporal',
    'appliesTo',
    'display',
    'inverseId',
    'stalenessDays',
    'computed',
    'inverseName',
    'attributes',
  ] as (keyof PropertyFields)[],
  entity: [
    'name',
    'type',
    'numericId',
    'aliases',
    'description',
    'tags',
    'website',
    'lastUpdated',
    'summaryPage',
    'sources',
    'customFields',
    'file',
    'attributes',
  ] as (keyof EntityFields)[],
  source: [
    'stableId',
    'title',
    'type',
    'authors',
    'publishedDate',
    'publicationId',
    'abstract',
    'summary',
    'review',
    'keyPoints',
    'tags',
    'file',
    'snapshot',
    'fetchedAt',
    'localFilename',
    'attributes',
  ] as (keyof SourceFields)[],
  page: [
    'title',
    'numericId',
    'description',
    'quality',
    'entityId',
    'path',
    'lastEdited',
    'updateFrequency',
    'readerImportance',
    'researchImportance',
    'tacticalValue',
    'subcategory',
    'clusters',
    'ratings',
    'pageType',
    'contentFormat',
    'attributes',
  ] as (keyof PageFields)[],
  recordSchema: Object.keys(recordSchemaFields) as (keyof RecordSchemaFields)[],
  entityType: Object.keys(entityTypeFields) as (keyof EntityTypeFields)[],
};

const same = (a: unknown, b: unknown): boolean => jsonEqual(a ?? null, b ?? null);

interface Patch {
  set: Record<string, unknown>;
  unset: string[];
}

/**
 * The field-level difference of `want` over `have`. A field the domain fixes at registration (immutable)
 * is never patched: a difference there is reported. Required fields are never unset.
 */
function diffFields<F extends object>(
  specs: FieldSpecs<F>,
  keys: (keyof F)[],
  want: Partial<F>,
  have: Partial<F>,
  onImmutable: (key: string, want: unknown, have: unknown) => void,
): Patch | null {
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  for (const key of keys) {
    const w = want[key];
    const h = have[key];
    const spec = specs[key];
    if (w === undefined) {
      if (h !== undefined && !spec.required && !spec.immutable) unset.push(key as string);
      continue;
    }
    if (spec.keyed && h !== undefined) {
      // Key by key, so the event names only the keys that changed.
      const wm = w as Record<string, unknown>;
      const hm = h as Record<string, unknown>;
      const changed = Object.keys(wm).filter((k) => !Object.hasOwn(hm, k) || !same(wm[k], hm[k]));
      if (changed.length) set[key as string] = Object.fromEntries(changed.map((k) => [k, wm[k]]));
      for (const k of Object.keys(hm)) if (!Object.hasOwn(wm, k)) unset.push(`${key as string}.${k}`);
      continue;
    }
    if (h !== undefined && same(w, h)) continue;
    if (spec.immutable) {
      if (h !== undefined) onImmutable(key as string, w, h);
      continue;
    }
    set[key as string] = w;
  }
  return Object.keys(set).length || unset.length ? { set, unset } : null;
}

const patchOf = (p: Patch): { set?: Record<string, unknown>; unset?: string[] } => ({
  ...(Object.keys(p.set).length ? { set: p.set } : {}),
  ...(p.unset.length ? { unset: p.unset } : {}),
});

/** What every kind's planner shares: both states, and where its commands and counts go. */
interface Planning {
  desired: DesiredState;
  inStore: StoreSnapshot;
  anomalies: Anomalies;
  totals: Record<Phase, PhaseTotals>;
  push(planned: PlannedCommand): void;
}

/** One planner per kind, in the order of PHASES: a later kind may refer to an earlier one's things. */
const PLANNERS: ((p: Planning) => void)[] = [
  planPublications,
  planProperties,
  planEntities,
  planRelations,
  planSources,
  planPages,
  planCitations,
  planFacts,
  planRecordSchemas,
  planEntityTypes,
  planRecords,
];

export function planSync(desired: DesiredState, inStore: StoreSnapshot, anomalies: Anomalies): ImportPlan {
  const planned: PlannedCommand[] = [];
  const totals = Object.fromEntries(PHASES.map((p) => [p, { inFiles: 0, unchanged: 0, planned: {} }])) as Record<Phase, PhaseTotals>;
  const push = (command: PlannedCommand) => {
    planned.push(command);
    const counts = totals[command.phase].planned;
    counts[command.effect] = (counts[command.effect] ?? 0) + 1;
  };
  for (const plan of PLANNERS) plan({ desired, inStore, anomalies, totals, push });
  planned.sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
  return { commands: planned, totals };
}

/** Reports a difference in a field the store keeps fixed instead of planning a change it would refuse. */
const immutable = (p: Planning, loc: Loc, what: string) => (key: string, want: unknown, have: unknown) =>
  p.anomalies.add(
    'immutable-change',
    { ...loc, at: `${loc.at ?? what}.${key}` },
    `${what}: ${key} is ${JSON.stringify(have)} in the store and cannot change to ${JSON.stringify(want)}`,
  );

interface Thing<F extends object> {
  phase: Phase;
  label: string;
  loc: Loc;
  want: Partial<F>;
  have: Partial<F> | undefined;
  specs: FieldSpecs<F>;
  managed: (keyof F)[];
  register: Command;
  update(patch: { set?: Record<string, unknown>; unset?: string[] }): Command;
}

/** A thing is registered when the store lacks it, else patched in the fields the importer manages. */
function planThing<F extends object>(p: Planning, t: Thing<F>): void {
  p.totals[t.phase].inFiles++;
  if (!t.have) {
    p.push({ phase: t.phase, effect: 'register', loc: t.loc, label: t.label, command: t.register });
    return;
  }
  const patch = diffFields(t.specs, t.managed, t.want, t.have, immutable(p, t.loc, t.label));
  if (!patch) p.totals[t.phase].unchanged++;
  else p.push({ phase: t.phase, effect: 'update', loc: t.loc, label: t.label, command: t.update(patchOf(patch)) });
}

function planPublications(p: Planning): void {
  for (const [id, d] of p.desired.publications) {
    planThing(p, {
      phase: 'publications',
      label: `publication ${id}`,
      loc: d.loc,
      want: d.fields,
      have: p.inStore.publications.get(id),
      specs: publicationFields,
      managed: MANAGED.publication,
      register: { type: 'RegisterPublication', id, fields: d.fields },
      update: (patch) => ({ type: 'UpdatePublication', id, ...patch }),
    });
  }
}

function planProperties(p: Planning): void {
  for (const [id, d] of p.desired.properties) {
    planThing(p, {
      phase: 'properties',
      label: `property ${id}`,
      loc: d.loc,
      want: d.fields,
      have: p.inStore.properties.get(id),
      specs: propertyFields,
      managed: MANAGED.property,
      register: { type: 'DefineProperty', id, fields: d.fields },
      update: (patch) => ({ type: 'UpdateProperty', id, ...patch }),
    });
  }
}

function planEntities(p: Planning): void {
  const { desired, inStore, totals, push } = p;
  for (const [id, d] of desired.entities) {
    totals.entities.inFiles++;
    const label = `entity ${d.fields.slug}`;
    const cur = inStore.entities.get(id);
    if (!cur) {
      push({ phase: 'entities', effect: 'register', loc: d.loc, label, command: { type: 'RegisterEntity', id, fields: d.fields } });
      continue;
    }
    let have: EntityFields = cur;
    let changed = false;
    if (cur.slug !== d.fields.slug) {
      push({
        phase: 'entities',
        effect: 'rename',
        loc: d.loc,
        label,
        command: { type: 'RenameEntity', entity: id, newSlug: d.fields.slug },
      });
      changed = true;
      // As the domain applies a rename: the old slug becomes an alias.
      const aliases = (cur.aliases ?? []).filter((a) => a !== d.fields.slug);
      if (!aliases.includes(cur.slug)) aliases.push(cur.slug);
      have = { ...cur, slug: d.fields.slug, aliases };
    }
    // Former slugs stay reachable as aliases (the domain adds them on rename); the files never list them.
    const former = new Set([...(inStore.entitySlugHistory.get(id) ?? []), cur.slug]);
    former.delete(d.fields.slug);
    const fileAliases = d.fields.aliases ?? [];
    const kept = (have.aliases ?? []).filter((a) => former.has(a) && !fileAliases.includes(a));
    const aliases = [...fileAliases, ...kept];
    const want: EntityFields = { ...d.fields };
    if (aliases.length) want.aliases = aliases;
    else delete want.aliases;
    const patch = diffFields(entityFields, MANAGED.entity, want, have, immutable(p, d.loc, label));
    if (patch) {
      push({ phase: 'entities', effect: 'update', loc: d.loc, label, command: { type: 'UpdateEntity', entity: id, ...patchOf(patch) } });
      changed = true;
    }
    if (!changed) totals.entities.unchanged++;
  }
}

const relationCommand = (type: 'RelateEntity' | 'UnrelateEntity', entity: string, r: EntityRelation): Command => {
  const target = 'entityId' in r ? { target: r.entityId } : { target: r.unresolvedSlug, unresolved: true };
  const relationship = r.relationship !== undefined ? { relationship: r.relationship } : {};
  return type === 'RelateEntity'
    ? { type, entity, ...target, ...(r.type !== undefined ? { targetType: r.type } : {}), ...relationship }
    : { type, entity, ...target, ...relationship };
};

/**
 * Entity → entity, from each entry's relatedEntries, in the entry's order. The store keeps relations
 * in the order they were related, so where the stored order of the listed relations departs from the
 * file's, the rest of the list is unrelated and related again in the file's order; relations the
 * files do not list stay where they are, and only those this importer related are taken away.
 */
function planRelations({ desired, inStore, totals, push }: Planning): void {
  for (const [id, want] of desired.relations.byEntity) {
    const slug = desired.entities.get(id)?.fields.slug ?? id;
    const label = (r: EntityRelation) =>
      `entity ${slug} → ${'entityId' in r ? r.entityId : `"${r.unresolvedSlug}"`}${r.relationship ? ` (${r.relationship})` : ''}`;
    const loc = desired.entities.get(id)?.loc ?? want[0]?.loc;
    const have = inStore.relations.get(id) ?? [];
    const wanted = new Set(want.map((w) => relationKey(w.relation)));
    totals.relations.inFiles += want.length;
    for (const r of have) {
      if (wanted.has(relationKey(r)) || !inStore.importedRelations.has(importedRelationKey(id, r))) continue;
      push({ phase: 'relations', effect: 'unrelate', loc, label: label(r), command: relationCommand('UnrelateEntity', id, r) });
    }
    const kept = have.filter((r) => wanted.has(relationKey(r)));
    let k = 0;
    while (k < want.length && k < kept.length && same(want[k].relation, kept[k])) k++;
    totals.relations.unchanged += k;
    for (const r of kept.slice(k))
      push({ phase: 'relations', effect: 'unrelate', loc, label: label(r), command: relationCommand('UnrelateEntity', id, r) });
    for (const w of want.slice(k))
      push({
        phase: 'relations',
        effect: 'relate',
        loc: w.loc,
        label: label(w.relation),
        command: relationCommand('RelateEntity', id, w.relation),
      });
  }
}

function planSources(p: Planning): void {
  for (const [id, d] of p.desired.sources) {
    const label = `source ${id} (${d.fields.url})`;
    const cur = p.inStore.sources.get(id);
    // A source someone merged into another takes no changes; one only a fact cites is not ours to edit.
    if (cur && (!d.managed || cur.mergedInto)) {
      p.totals.sources.inFiles++;
      p.totals.sources.unchanged++;
      continue;
    }
    planThing(p, {
      phase: 'sources',
      label,
      loc: d.loc,
      want: d.fields as Partial<SourceFields>,
      have: cur?.fields,
      specs: sourceFields,
      managed: MANAGED.source,
      register: { type: 'RegisterSource', fields: d.fields },
      update: (patch) => ({ type: 'UpdateSource', source: id, ...patch }),
    });
  }
}

function planPages(p: Planning): void {
  for (const [slug, d] of p.desired.pages) {
    planThing(p, {
      phase: 'pages',
      label: `page ${slug}`,
      loc: d.loc,
      want: d.fields,
      have: p.inStore.pages.get(slug)?.fields,
      specs: pageFields,
      managed: MANAGED.page,
      register: { type: 'CreatePage', slug, fields: d.fields },
      update: (patch) => ({ type: 'UpdatePage', page: slug, ...patch }),
    });
  }
}

/** Page → source, from the resources' cited_by. */
function planCitations({ desired, inStore, totals, push }: Planning): void {
  const canonical = canonicalSources(inStore);
  const slugs = new Set([...desired.citations.bySlug.keys(), ...inStore.pages.keys()]);
  for (const slug of slugs) {
    const want = desired.citations.bySlug.get(slug) ?? new Map<string, Loc>();
    const have = new Set((inStore.pages.get(slug)?.citations ?? []).map(canonical));
    const wanted = new Set<string>();
    for (const [sourceId, loc] of want) {
      const id = canonical(sourceId);
      wanted.add(id);
      totals.citations.inFiles++;
      if (have.has(id)) totals.citations.unchanged++;
      else
        push({
          phase: 'citations',
          effect: 'cite',
          loc,
          label: `page ${slug} → source ${id}`,
          command: { type: 'CiteSource', page: slug, source: id },
        });
    }
    if (!desired.citations.removals) continue;
    for (const sourceId of inStore.pages.get(slug)?.citations ?? []) {
      if (wanted.has(canonical(sourceId)) || !inStore.importedCitations.has(citationKey(slug, sourceId))) continue;
      push({
        phase: 'citations',
        effect: 'uncite',
        loc: desired.removed.citation(slug, sourceId),
        label: `page ${slug} → source ${sourceId}`,
        command: { type: 'UnciteSource', page: slug, source: sourceId },
      });
    }
  }
}

function planFacts({ desired, inStore, anomalies, totals, push }: Planning): void {
  const canonical = canonicalSources(inStore);
  for (const [id, f] of desired.facts) {
    totals.facts.inFiles++;
    const label = `fact ${id}`;
    const cur = inStore.facts.get(id);
    if (!cur) {
      push({ phase: 'facts', effect: 'assert', loc: f.loc, label, command: assertCommand(f) });
      continue;
    }
    if (cur.retracted) {
      anomalies.add(
        'immutable-change',
        f.loc,
        `fact ${id} was retracted earlier and the store takes no more changes to it: not re-asserted (give it a new id)`,
      );
      continue;
    }
    if (cur.entityId !== f.entityId || cur.propertyId !== f.propertyId) {
      anomalies.add(
        'immutable-change',
        f.loc,
        `fact ${id} is about ${cur.entityId}/${cur.propertyId} in the store, not ${f.entityId}/${f.propertyId}: a fact cannot move (give it a new id)`,
      );
      continue;
    }
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    if (!same(f.stored.value, cur.value)) set.value = f.input.value;
    for (const key of ['asOf', 'validEnd', 'notes'] as const) {
      if (f.stored[key] === undefined) {
        if (cur[key] !== undefined) unset.push(key);
      } else if (f.stored[key] !== cur[key]) set[key] = f.input[key];
    }
    const wantCitations = (f.stored.citations ?? []).map((c) => ({ ...c, sourceId: canonical(c.sourceId) }));
    if (!same(wantCitations, cur.citations)) {
      if (wantCitations.length) set.citations = wantCitations.map((c) => ({ source: c.sourceId }));
      else unset.push('citations');
    }
    if (Object.keys(set).length === 0 && unset.length === 0) {
      totals.facts.unchanged++;
      continue;
    }
    push({ phase: 'facts', effect: 'correct', loc: f.loc, label, command: { type: 'CorrectFact', id, ...patchOf({ set, unset }) } });
  }
  if (desired.retractions.enabled) {
    const { protectedFacts, protectedEntities } = desired.retractions;
    for (const [id, cur] of inStore.facts) {
      if (!cur.imported || cur.retracted || desired.facts.has(id) || protectedFacts.has(id) || protectedEntities.has(cur.entityId))
        continue;
      const { loc, reason } = desired.removed.fact(inStore.entities.get(cur.entityId)?.slug ?? cur.entityId, id);
      push({ phase: 'facts', effect: 'retract', loc, label: `fact ${id}`, command: { type: 'RetractFact', id, reason } });
    }
  }
}

function assertCommand(f: DesiredFact): Command {
  return {
    type: 'AssertFact',
    id: f.id,
    entity: f.entityId,
    property: f.propertyId,
    value: f.input.value,
    ...(f.input.asOf !== undefined ? { asOf: f.input.asOf } : {}),
    ...(f.input.validEnd !== undefined ? { validEnd: f.input.validEnd } : {}),
    ...(f.input.sources ? { citations: f.input.sources.map((source) => ({ source })) } : {}),
    ...(f.input.notes !== undefined ? { notes: f.input.notes } : {}),
  };
}

/** A source id → the source it was merged into (following chains), as the read models count citations. */
function canonicalSources(inStore: StoreSnapshot): (id: string) => string {
  return (id) => {
    let at = id;
    for (let hops = 0; hops < 16; hops++) {
      const next = inStore.sources.get(at)?.mergedInto;
      if (!next) return at;
      at = next;
    }
    return at;
  };
}

function planRecordSchemas(p: Planning): void {
  for (const [id, d] of p.desired.recordSchemas) {
    planThing(p, {
      phase: 'recordSchemas',
      label: `record schema ${id}`,
      loc: d.loc,
      want: d.fields,
      have: p.inStore.recordSchemas.get(id),
      specs: recordSchemaFields,
      managed: MANAGED.recordSchema,
      register: { type: 'RegisterRecordSchema', id, fields: d.fields },
      update: (patch) => ({ type: 'UpdateRecordSchema', id, ...patch }),
    });
  }
}

function planEntityTypes(p: Planning): void {
  for (const [id, d] of p.desired.entityTypes) {
    planThing(p, {
      phase: 'entityTypes',
      label: `entity type ${id}`,
      loc: d.loc,
      want: d.fields,
      have: p.inStore.entityTypes.get(id),
      specs: entityTypeFields,
      managed: MANAGED.entityType,
      register: { type: 'RegisterEntityType', id, fields: d.fields },
      update: (patch) => ({ type: 'UpdateEntityType', id, ...patch }),
    });
  }
}

/**
 * Records are created when the store lacks them (or removed them), patched field by field, and
 * removed when they left the files, if this importer created them (docs/domain.md, "Records").
 */
function planRecords({ desired, inStore, totals, push }: Planning): void {
  for (const [id, d] of desired.records.byId) {
    totals.records.inFiles++;
    const label = `record ${d.collection}.${d.key} of entity ${inStore.entities.get(d.entityId)?.slug ?? d.entityId}`;
    const ref = { entity: d.entityId, collection: d.collection, key: d.key };
    const cur = inStore.records.get(id);
    if (!cur || cur.removed) {
      const command: Command = {
        type: 'CreateRecord',
        ...ref,
        fields: d.input.fields,
        ...(d.input.unchecked ? { unchecked: d.input.unchecked } : {}),
      };
      push({ phase: 'records', effect: 'create', loc: d.loc, label, command });
      continue;
    }
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    for (const [name, value] of Object.entries(d.stored.fields)) if (!same(value, cur.fields[name])) set[name] = d.input.fields[name];
    for (const name of Object.keys(cur.fields)) if (!Object.hasOwn(d.stored.fields, name)) unset.push(name);
    const uncheckedChanged = !same(d.stored.unchecked ?? {}, cur.unchecked ?? {});
    if (Object.keys(set).length === 0 && unset.length === 0 && !uncheckedChanged) {
      totals.records.unchanged++;
      continue;
    }
    const command: Command = {
      type: 'UpdateRecord',
      ...ref,
      ...patchOf({ set, unset }),
      ...(uncheckedChanged ? { unchecked: d.stored.unchecked ?? {} } : {}),
    };
    push({ phase: 'records', effect: 'update', loc: d.loc, label, command });
  }
  if (!desired.records.removals) return;
  for (const [id, cur] of inStore.records) {
    if (
      cur.removed ||
      desired.records.byId.has(id) ||
      !inStore.importedRecords.has(id) ||
      desired.records.protectedEntities.has(cur.entityId)
    )
      continue;
    const slug = inStore.entities.get(cur.entityId)?.slug ?? cur.entityId;
    push({
      phase: 'records',
      effect: 'remove',
      loc: desired.removed.record(slug, cur.collection, cur.key),
      label: `record ${cur.collection}.${cur.key} of entity ${slug}`,
      command: { type: 'RemoveRecord', entity: cur.entityId, collection: cur.collection, key: cur.key },
    });
  }
}
