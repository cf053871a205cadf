import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase as SqliteDialectDatabase,
} from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../../config/database-target.js';
import { migrateToLatest } from './migrations.js';
import type { RecordingTables } from './tables.js';

export type SqlEngine = 'sqlite' | 'postgres';

/** An open, migrated recording database. */
export interface RecordingDatabase {
  readonly engine: SqlEngine;
  readonly db: Kysely<RecordingTables>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** An idle PostgreSQL connection broke; pg reports it here instead of to a query. */
  readonly onConnectionError?: (error: Error) => void;
}

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
 * WAL lets readers (the admin API, `tokens list`) run beside the writer; synchronous=NORMAL
 * is durable against a crash of the process and only fsyncs at checkpoints. The busy
 * timeout is short because better-sqlite3 waits on the event loop's thread: a write that
 * finds the file locked (another worker, the CLI) fails soon and the recorder retries it.
 */
function openSqlite(path: string): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 100');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * better-sqlite3 prepares a statement per call and Kysely asks for one per query; the
 * recorder's INSERTs recur with the same text, so the prepared statements are kept (the
 * most recent few hundred). Only one query runs at a time on the connection (Kysely's
 * SQLite driver serialises them), so sharing a statement is safe.
 */
function withStatementCache(database: SqliteDatabase.Database, size = 256): SqliteDialectDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= size) {
          const oldest = statements.keys().next().value;
          if (oldest !== undefined) statements.delete(oldest);
        }
      } else {
        statements.delete(sql);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

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

function connect(
  target: Exclude<DatabaseTarget, { engine: 'off' }>,
  options: OpenOptions,
): Kysely<RecordingTables> {
  if (target.engine === 'sqlite') {
    return new Kysely({
      dialect: new SqliteDialect({ database: withStatementCache(openSqlite(target.path)) }),
    });
  }
  const pool = new pg.Pool({
    connectionString: target.url,
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
  return new Kysely({
    dialect: new PostgresDialect({
      pool: withPreparedInserts(pool),
    }),
  });
}

/** Connects and brings the schema to the latest version. Throws if either fails. */
export async function openDatabase(
  target: Exclude<DatabaseTarget, { engine: 'off' }>,
  options: OpenOptions = {},
): Promise<RecordingDatabase> {
  const db = connect(target, options);
  try {
    await migrateToLatest(db as unknown as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    engine: target.engine,
    db,
    close: () => db.destroy(),
  };
}
