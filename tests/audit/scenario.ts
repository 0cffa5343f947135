import { loadSeeds } from '../../src/seed';
import type { Command, CommandOptions } from '../../src/commands/commands';
import type { CommandHandler } from '../../src/commands/handler';
import type { FactlogDb } from '../../src/projections/tables';

/** The seed source and a duplicate of it that the scenario registers and later merges away. */
export const SOURCE_URL = 'https://www.anthropic.com/news/activating-asl3-protections';
export const SOURCE_ID = '7512ddb574f82249';
export const DUPLICATE_URL = 'https://example.org/mirror/activating-asl3-protections';
export const ANTHROPIC_ID = 'mK9pX3rQ7n';
export const NEW_FACT = 'f_AuditRumor1';

export const SEED_VALUES = {
  f_BnkEWenniQ: 'ASL-3 (Opus 4+), ASL-2 (Sonnet/Haiku)',
  f_R59LmVVzcw: 'ASL-3 (Opus 4, Opus 4.5, Opus 4.6), ASL-2 (Sonnet, Haiku)',
};
export const CORRECTED_VALUE = 'ASL-3 (all Claude models)';

/** One step of the scenario: where it landed in the log and when it was recorded. */
export interface ScenarioStep {
  name: string;
  actor: string;
  reason: string;
  /** The last position the step appended. */
  position: number;
  /** Positions of every event the step appended, in order. */
  positions: number[];
  recordedAt: Date;
}

export interface Scenario {
  /** Head after the seeds. */
  seeded: { position: number; recordedAt: Date };
  steps: Record<StepName, ScenarioStep>;
  head: number;
}

type StepName =
  | 'registerDuplicate'
  | 'createPage'
  | 'citeDuplicate'
  | 'assertRumor'
  | 'correctValue'
  | 'correctNotes'
  | 'retractRumor'
  | 'deprecateFirst'
  | 'updatePage'
  | 'mergeSources'
  | 'renameEntity'
  | 'addCitation';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The seeds, then a realistic run of editorial work by several people: a duplicate source is registered
 * and cited by a new page, a claim is asserted and later retracted, a value corrected, notes corrected, a fact
 * deprecated, a page updated with an unset, the duplicate merged into the original, the entity renamed,
 * and a citation added. Each step waits a few ms so that every step has its own recorded time.
 */
export async function runScenario(commands: CommandHandler, db: FactlogDb): Promise<Scenario> {
  await loadSeeds(commands);
  const head = async () => db.selectFrom('log_head').select(['position', 'recorded_at']).executeTakeFirstOrThrow();
  const seededHead = await head();
  const steps = {} as Record<StepName, ScenarioStep>;
  const run = async (name: StepName, command: Command, options: CommandOptions & { actor: string; reason: string }) => {
    await sleep(4);
    const before = (await head()).position;
    const result = await commands.execute(command, options);
    if (!result.changed) throw new Error(`scenario step ${name} changed nothing`);
    const after = await head();
    steps[name] = {
      name,
      actor: options.actor,
      reason: options.reason,
      position: after.position,
      positions: Array.from({ length: after.position - before }, (_, i) => before + 1 + i),
      recordedAt: after.recorded_at!,
    };
    await sleep(4);
  };

  await run(
    'registerDuplicate',
    { type: 'RegisterSource', fields: { url: DUPLICATE_URL, title: 'Activating ASL-3 protections (mirror)', type: 'web' } },
    { actor: 'alice', reason: 'found a mirror' },
  );
  await run(
    'createPage',
    { type: 'CreatePage', slug: 'asl-levels', fields: { title: 'AI Safety Levels', description: 'The ASL ladder' } },
    { actor: 'alice', reason: 'new page' },
  );
  await run(
    'citeDuplicate',
    { type: 'CiteSource', page: 'asl-levels', source: DUPLICATE_URL },
    { actor: 'alice', reason: 'cite the mirror' },
  );
  await run(
    'assertRumor',
    {
      type: 'AssertFact',
      id: NEW_FACT,
      entity: 'anthropic',
      property: 'safety-level',
      value: 'ASL-4 (all models)',
      asOf: '2026-04',
      citations: [{ source: DUPLICATE_URL, quote: 'ASL-4' }],
    },
    { actor: 'alice', reason: 'new claim from the mirror' },
  );
  await run(
    'correctValue',
    { type: 'CorrectFact', id: 'f_R59LmVVzcw', set: { value: CORRECTED_VALUE } },
    { actor: 'bob', reason: 'fix the model list' },
  );
  await run(
    'correctNotes',
    { type: 'CorrectFact', id: 'f_BnkEWenniQ', set: { notes: 'Provisional ASL-3 activation' } },
    { actor: 'bob', reason: 'shorter notes' },
  );
  await run(
    'retractRumor',
    { type: 'RetractFact', id: NEW_FACT, reason: 'unsourced rumour' },
    { actor: 'carol', reason: 'unsourced rumour' },
  );
  await run(
    'deprecateFirst',
    { type: 'DeprecateFact', id: 'f_BnkEWenniQ', reason: 'superseded by the 2026 value' },
    { actor: 'carol', reason: 'superseded' },
  );
  await run(
    'updatePage',
    { type: 'UpdatePage', page: 'anthropic', set: { description: 'AI safety company', quality: 80 }, unset: ['numericId'] },
    { actor: 'dave', reason: 'tidy the page' },
  );
  await run('mergeSources', { type: 'MergeSources', from: DUPLICATE_URL, into: SOURCE_URL }, { actor: 'dave', reason: 'duplicate source' });
  await run(
    'renameEntity',
    { type: 'RenameEntity', entity: 'anthropic', newSlug: 'anthropic-pbc' },
    { actor: 'erin', reason: 'legal name' },
  );
  await run(
    'addCitation',
    { type: 'AddFactCitation', id: 'f_R59LmVVzcw', citation: { source: SOURCE_URL, quote: 'ASL-3', locator: '§1' } },
    { actor: 'erin', reason: 'quote the passage' },
  );
  return { seeded: { position: seededHead.position, recordedAt: seededHead.recorded_at! }, steps, head: (await head()).position };
}
