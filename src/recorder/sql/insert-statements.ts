import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { RecordingTables } from './tables.js';

type TableName = keyof RecordingTables;
type Row<T extends TableName> = Insertable<RecordingTables[T]>;

/**
 * Rows per INSERT statement. Fixed, so that the same few statement texts recur and their
 * compilation (and SQLite's preparation) is paid once, not per batch; small enough to stay
 * far below either engine's limit on bound parameters.
 */
export const ROWS_PER_STATEMENT = 64;

/**
 * Multi-row INSERTs that skip rows already present, compiled by Kysely for the engine at
 * hand the first time a table and row count is seen, then reused with new parameters.
 * Building Kysely's query tree for every batch cost more than the database's own work.
 */
export class InsertStatements {
  private readonly sql = new Map<string, { text: string; columns: readonly string[] }>();

  constructor(private readonly db: Kysely<RecordingTables>) {}

  /** Inserts `rows`, each with the same columns in the same order, through `executor`. */
  async insert<T extends TableName>(
    executor: Kysely<RecordingTables>,
    table: T,
    rows: readonly Row<T>[],
  ): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      await executor.executeQuery(this.compiled(table, chunk));
    }
  }

  private compiled<T extends TableName>(table: T, rows: readonly Row<T>[]): CompiledQuery {
    const key = `${table}:${rows.length}`;
    const cached = this.sql.get(key);
    if (cached !== undefined)
      return CompiledQuery.raw(cached.text, parameters(rows, cached.columns));
    const query = this.db
      .insertInto(table)
      .values([...rows])
      .onConflict((oc) => oc.doNothing())
      .compile();
    const columns = Object.keys(rows[0] ?? {});
    // The cache relies on Kysely binding values row by row in the rows' own key order.
    const mine = parameters(rows, columns);
    if (
      mine.length !== query.parameters.length ||
      mine.some((value, i) => value !== query.parameters[i])
    ) {
      throw new Error(`unexpected parameter order in the compiled INSERT into ${table}`);
    }
    this.sql.set(key, { text: query.sql, columns });
    return query;
  }
}

function parameters(rows: readonly object[], columns: readonly string[]): unknown[] {
  const values: unknown[] = [];
  for (const row of rows) {
    for (const column of columns) values.push((row as Record<string, unknown>)[column]);
  }
  return values;
}
