import { CommandHandler } from '../../src/commands/handler';
import type { Command } from '../../src/commands/commands';
import { inlineProjector } from '../../src/projections/project';
import { EventStore, type AppendResult } from '../../src/store/event-store';
import { createTestFactlog, type TestFactlog } from '../support/factlog';
import { eventCount } from '../importers/longterm-wiki-support';

/**
 * A retry that races the request it repeats: the first one commits after the retry checked its
 * idempotency key but before the retry decided. The domain then sees the fact already asserted; the
 * retry must still answer as a replay of the first, not as a conflict, and append nothing.
 */

let app: TestFactlog;

beforeAll(async () => {
  app = await createTestFactlog();
  await app.commands.execute({ type: 'DefineProperty', id: 'level', fields: { name: 'Level', dataType: 'text', temporal: true } });
  await app.commands.execute({
    type: 'RegisterEntity',
    id: 'retryent01',
    fields: { slug: 'retried', name: 'Retried', type: 'organization' },
  });
});
afterAll(() => app?.dispose());

/** A store whose first idempotency check lets `meanwhile` run to completion before answering "not seen". */
class RacingStore extends EventStore {
  meanwhile: (() => Promise<unknown>) | null = null;

  override async idempotentResult(key: string, fingerprint: string): Promise<AppendResult | null> {
    const seen = await super.idempotentResult(key, fingerprint);
    const run = this.meanwhile;
    this.meanwhile = null;
    if (run) await run();
    return seen;
  }
}

it.each([
  [
    'an assertion the domain now refuses as existing',
    (n: number): Command => ({
      type: 'AssertFact',
      id: `f_retry0000${n}`,
      entity: 'retried',
      property: 'level',
      value: 'high',
      asOf: '2027',
    }),
  ],
  [
    'a correction whose expected version has moved on',
    (n: number): Command => ({ type: 'CorrectFact', id: `f_retry0000${n}`, set: { notes: 'retried' } }),
  ],
])('answers a retry that lost the race to its original as a replay: %s', async (_, make) => {
  const n = Math.floor(Math.random() * 1e5);
  const command = make(n);
  if (command.type === 'CorrectFact') {
    await app.commands.execute({
      type: 'AssertFact',
      id: `f_retry0000${n}`,
      entity: 'retried',
      property: 'level',
      value: 'low',
      asOf: '2026',
    });
  }
  const options = { idempotencyKey: `race-${n}`, actor: 'tester', ...(command.type === 'CorrectFact' ? { expectedVersion: 1 } : {}) };
  const racing = new RacingStore(app.database, { projectors: [inlineProjector] });
  const retry = new CommandHandler(racing, app.db);
  let original: Awaited<ReturnType<CommandHandler['execute']>> | undefined;
  racing.meanwhile = async () => {
    original = await app.commands.execute(command, options);
  };
  const before = await eventCount(app.db);
  const answer = await retry.execute(command, options);
  expect(original?.changed).toBe(true);
  expect(answer).toMatchObject({ stream: original!.stream, version: original!.version, position: original!.position, replayed: true });
  expect(await eventCount(app.db)).toBe(before + 1);
});

it('still refuses a genuinely conflicting command that carries a fresh key', async () => {
  await app.commands.execute({ type: 'AssertFact', id: 'f_taken00001', entity: 'retried', property: 'level', value: 'x', asOf: '2025' });
  await expect(
    app.commands.execute(
      { type: 'AssertFact', id: 'f_taken00001', entity: 'retried', property: 'level', value: 'y', asOf: '2025' },
      { idempotencyKey: 'fresh-key' },
    ),
  ).rejects.toMatchObject({ code: 'CONFLICT' });
});
