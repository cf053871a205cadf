import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
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
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 100');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

function connect(
  target: Exclude<DatabaseTarget, { engine: 'off' }>,
  options: OpenOptions,
): Kysely<RecordingTables> {
  if (target.engine === 'sqlite') {
    return new Kysely({ dialect: new SqliteDialect({ database: openSqlite(target.path) }) });
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
  return new Kysely({ dialect: new PostgresDialect({ pool }) });
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
