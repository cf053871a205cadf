import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase as SqliteDialectDatabase } from 'kysely';
import type { RecordingTables } from './tables.js';

/**
 * WAL lets readers (the admin API, `tokens list`) run beside the writer; synchronous=NORMAL
 * is durable against a crash of the process and only fsyncs at checkpoints. The busy
 * timeout is short because better-sqlite3 waits on the event loop's thread: a write that
 * finds the file locked (another worker, the CLI) fails soon and the recorder retries it.
 * A command-line tool, which serves nobody meanwhile, may wait longer.
 */
function openSqlite(path: string, busyTimeoutMs: number): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * better-sqlite3 prepares a statement per call and Kysely asks for one per query; the
 * recorder's INSERTs recur with the same text, so the prepared statements are kept (the
 * most recent thousand: the recorder alone has five tables times up to 64 row counts, as a
 * batch's last statement takes whatever count is left, and a few hundred churned). Only one
 * query runs at a time on the connection (Kysely's SQLite driver serialises them), so sharing
 * a statement is safe.
 */
function withStatementCache(database: SqliteDatabase.Database, size = 1024): SqliteDialectDatabase {
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

/** A Kysely over a SQLite file (loaded only when recording goes to SQLite). */
export function connectSqlite(path: string, busyTimeoutMs = 100): Kysely<RecordingTables> {
  return new Kysely({
    dialect: new SqliteDialect({ database: withStatementCache(openSqlite(path, busyTimeoutMs)) }),
  });
}
