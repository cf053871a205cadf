import type { Kysely } from 'kysely';
import type { DatabaseTarget } from '../../config/database-target.js';
import { migrateToLatest } from './migrations.js';
import type { OpenOptions } from './open-options.js';
import type { RecordingTables } from './tables.js';

export type { OpenOptions } from './open-options.js';

export type SqlEngine = 'sqlite' | 'postgres';

/** An open, migrated recording database. */
export interface RecordingDatabase {
  readonly engine: SqlEngine;
  readonly db: Kysely<RecordingTables>;
  close(): Promise<void>;
}

/**
 * Each engine's driver is loaded only when it is used: a gateway recording into SQLite
 * never loads pg, and one that records nothing loads neither (startup time).
 */
async function connect(
  target: Exclude<DatabaseTarget, { engine: 'off' }>,
  options: OpenOptions,
): Promise<Kysely<RecordingTables>> {
  if (target.engine === 'sqlite') {
    const { connectSqlite } = await import('./sqlite-connection.js');
    return connectSqlite(target.path, options.sqliteBusyTimeoutMs);
  }
  const { connectPostgres } = await import('./postgres-connection.js');
  return connectPostgres(target.url, options);
}

/** Connects and brings the schema to the latest version. Throws if either fails. */
export async function openDatabase(
  target: Exclude<DatabaseTarget, { engine: 'off' }>,
  options: OpenOptions = {},
): Promise<RecordingDatabase> {
  const db = await connect(target, options);
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
