import type pg from 'pg';

/**
 * The raw-INSERT baseline the write benchmarks compare with: the least a transactional event log
 * could do — BEGIN, one multi-row INSERT of (stream, data) into a bare table, COMMIT.
 */

export async function createBaselineTable(pool: pg.Pool): Promise<void> {
  await pool.query(
    `CREATE TABLE baseline_events (
       id bigserial PRIMARY KEY,
       stream text,
       data jsonb,
       recorded_at timestamptz DEFAULT now()
     )`,
  );
}

const statements = new Map<number, string>();
const insertSql = (rows: number): string => {
  let text = statements.get(rows);
  if (text === undefined) {
    const tuples = Array.from({ length: rows }, (_, i) => `($${2 * i + 1}, $${2 * i + 2})`);
    text = `INSERT INTO baseline_events (stream, data) VALUES ${tuples.join(', ')}`;
    statements.set(rows, text);
  }
  return text;
};

/** One transaction with one INSERT of these rows. */
export async function insertBaselineRows(pool: pg.Pool, rows: readonly { stream: string; data: unknown }[]): Promise<void> {
  const params: string[] = [];
  for (const r of rows) params.push(r.stream, JSON.stringify(r.data));
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(insertSql(rows.length), params);
    await client.query('COMMIT');
    client.release();
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    // Discard the connection: after a failure mid-transaction its state is not worth trusting.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}
