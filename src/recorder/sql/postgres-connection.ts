import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { OpenOptions } from './open-options.js';
import type { RecordingTables } from './tables.js';

/**
 * pg returns BIGINT as text because it may exceed 2^53; ours are milliseconds since the
 * epoch and counts, far below that, so they come back as numbers as they do from SQLite.
 */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => {
    if (oid === pg.types.builtins.INT8 && format !== 'binary') return Number;
    return pg.types.getTypeParser(oid, format) as unknown;
  },
};

/**
 * The recorder's INSERTs recur with the same few texts; as named statements, PostgreSQL
 * parses and plans each once per connection instead of at every batch. Only INSERTs: their
 * set is small and fixed (a table and a row count each), so the server's per-connection
 * statement cache stays small.
 */
function withPreparedInserts(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (sql: string): string | undefined => {
    if (!sql.startsWith('insert into')) return undefined;
    let name = names.get(sql);
    if (name === undefined) {
      name = `switchyard_insert_${names.size}`;
      names.set(sql, name);
    }
    return name;
  };
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query: ((sql: string, values: readonly unknown[]) => {
          const name = nameOf(sql);
          return name === undefined
            ? client.query(sql, [...values])
            : client.query({ name, text: sql, values: [...values] });
        }) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => {
          client.release(destroy);
        },
      };
    },
    end: () => pool.end(),
  };
}

/** A Kysely over a PostgreSQL pool (loaded only when recording goes to PostgreSQL). */
export function connectPostgres(url: string, options: OpenOptions): Kysely<RecordingTables> {
  const pool = new pg.Pool({
    connectionString: url,
    // One writer, retention and the admin API's reads.
    max: 4,
    // A server that does not answer is a failed write to retry, not a hung recorder.
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    idleTimeoutMillis: 30_000,
    application_name: 'switchyard',
    types: pgTypes,
  });
  pool.on('error', (error) => {
    options.onConnectionError?.(error);
  });
  return new Kysely({ dialect: new PostgresDialect({ pool: withPreparedInserts(pool) }) });
}
