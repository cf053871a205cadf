import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseTarget } from '../../src/config/database-target.js';
import { createTestDatabase } from './postgres.js';

export type SqlTarget = Exclude<DatabaseTarget, { engine: 'off' }>;

/** A fresh, empty database of one engine: its target, its `database:` setting, its removal. */
export interface SqlEngine {
  readonly name: string;
  setup(): Promise<{ target: SqlTarget; setting: string; cleanup: () => Promise<void> }>;
}

/** SQLite in a folder of its own and a database of its own on the test PostgreSQL. */
export const SQL_ENGINES: readonly SqlEngine[] = [
  {
    name: 'SQLite',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'switchyard-sql-'));
      const path = join(dir, 'records.db');
      return {
        target: { engine: 'sqlite', path },
        setting: `sqlite:${path}`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async setup() {
      const database = await createTestDatabase();
      return {
        target: { engine: 'postgres', url: database.url },
        setting: database.url,
        cleanup: database.drop,
      };
    },
  },
];
