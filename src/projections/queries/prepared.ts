import type { CompiledQuery, Compilable } from 'kysely';
import type { FactlogDb } from '../tables';

/** Stands in for argument `index` while the statement is built; replaced by the real value at each run. */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * A statement whose shape never depends on its arguments, built and compiled by Kysely once; each run
 * only puts the arguments in. Kysely otherwise rebuilds and recompiles on every call, and for the
 * point query's statement (then a window function) that cost 70–85 µs of CPU, more than PostgreSQL took to
 * answer it (BENCHMARKS.md). `build` must pass each argument to Kysely as a value, unchanged: an
 * argument it computes with (formats, measures, branches on) is refused at the first run.
 */
export function prepared<A extends unknown[], O>(
  build: (db: FactlogDb, ...args: A) => Compilable<O>,
): (db: FactlogDb, ...args: A) => Promise<O[]> {
  let template: CompiledQuery<O> | undefined;
  return async (db, ...args) => {
    if (!template) {
      const compiled = build(db, ...(args.map((_, i) => new Slot(i)) as A)).compile();
      const used = new Set(compiled.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.index));
      const lost = args.map((_, i) => i).filter((i) => !used.has(i));
      if (lost.length) throw new Error(`prepared statement: argument(s) ${lost.join(', ')} never reached the statement as values`);
      template = compiled;
    }
    const parameters = template.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
    return (await db.executeQuery<O>({ ...template, parameters })).rows;
  };
}
