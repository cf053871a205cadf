import { Migrator, sql, type Kysely, type Migration } from 'kysely';

/**
 * The schema's versions, oldest first, in code rather than files so that the same list runs
 * from src/ (tsx, tests) and dist/. Written once with Kysely's schema builder, which emits
 * each engine's DDL. Never edit a migration that has shipped: add the next one.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_recording': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('interceptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint', (c) => c.notNull())
        .addColumn('started_day', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('streaming', 'integer', (c) => c.notNull())
        .addColumn('credential_kind', 'text', (c) => c.notNull())
        .addColumn('credential_hint', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('client_name', 'text', (c) => c.notNull())
        .addColumn('client_version', 'text')
        .addColumn('client_language', 'text')
        .addColumn('client_session_id', 'text')
        .addColumn('client_user_agent', 'text')
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_read_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_write_tokens', 'integer', (c) => c.notNull())
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull())
        .addColumn('other_usage', 'text')
        .addColumn('cost_usd', 'double precision')
        .execute();
      // The child tables key on interception_id without a FOREIGN KEY: the recorder writes an
      // interception and its children in one transaction and retention deletes them in one,
      // and PostgreSQL's per-row foreign key checks cost a fifth of the insert throughput.
      // Token counts are INTEGER so that PostgreSQL sums them to BIGINT, read back as numbers
      // (a sum of BIGINT would be NUMERIC, read back as text).
      // The admin list: newest first with a (started_at, id) cursor, alone or filtered; the
      // usage report: a time range grouped by user, model, provider, client or day.
      // Retention deletes by started_at too.
      for (const [name, columns] of [
        ['interceptions_started', ['started_at', 'id']],
        ['interceptions_user', ['user_name', 'started_at', 'id']],
        ['interceptions_provider', ['provider', 'started_at', 'id']],
        ['interceptions_model', ['model', 'started_at', 'id']],
        ['interceptions_client', ['client_name', 'started_at']],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('interceptions')
          .columns([...columns])
          .execute();
      }

      await db.schema
        .createTable('upstream_calls')
        .addColumn('interception_id', 'text', (c) => c.notNull())
        .addColumn('iteration', 'integer', (c) => c.notNull())
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_read_tokens', 'integer', (c) => c.notNull())
        .addColumn('cache_write_tokens', 'integer', (c) => c.notNull())
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull())
        .addColumn('other_usage', 'text')
        .addPrimaryKeyConstraint('upstream_calls_pk', ['interception_id', 'iteration'])
        .execute();

      await db.schema
        .createTable('upstream_attempts')
        .addColumn('interception_id', 'text', (c) => c.notNull())
        .addColumn('iteration', 'integer', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('key_hint', 'text', (c) => c.notNull())
        .addColumn('key_index', 'integer')
        .addColumn('status', 'integer')
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('failed_over', 'integer', (c) => c.notNull())
        .addColumn('upstream_request_id', 'text')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('upstream_attempts_pk', [
          'interception_id',
          'iteration',
          'position',
        ])
        .execute();

      await db.schema
        .createTable('tool_calls')
        .addColumn('interception_id', 'text', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('iteration', 'integer', (c) => c.notNull())
        .addColumn('server', 'text')
        .addColumn('tool', 'text', (c) => c.notNull())
        .addColumn('injected', 'integer', (c) => c.notNull())
        .addColumn('arguments', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer')
        .addColumn('error', 'text')
        .addPrimaryKeyConstraint('tool_calls_pk', ['interception_id', 'position'])
        .execute();

      await db.schema
        .createTable('interception_texts')
        .addColumn('interception_id', 'text', (c) => c.primaryKey())
        .addColumn('prompt', 'text')
        .addColumn('thoughts', 'text')
        .execute();

      await db.schema
        .createTable('gateway_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
    },
  },
  '0002_gateway_token_version': {
    async up(db: Kysely<unknown>): Promise<void> {
      // A masked hint (prefix and last four characters) so operators can tell tokens apart.
      await db.schema.alterTable('gateway_tokens').addColumn('hint', 'text').execute();
      // One row whose version goes up with every token issued or revoked, in the same
      // transaction: gateways poll it (one primary-key read) instead of the whole table.
      await db.schema
        .createTable('gateway_token_version')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'bigint', (c) => c.notNull())
        .execute();
      await sql`insert into gateway_token_version (id, version) values (1, 0)`.execute(db);
    },
  },
  '0003_upstream_on_interception': {
    async up(db: Kysely<unknown>): Promise<void> {
      // An interception's upstream calls and their attempts as one JSON column of its own row
      // (almost always one call with one attempt): two rows and two primary-key entries fewer
      // per interception, written on every request. Rows written before this version keep
      // theirs in upstream_calls and upstream_attempts (this column null), read from there.
      await db.schema.alterTable('interceptions').addColumn('upstream', 'text').execute();
      // No query filters on the client: the usage report groups by it over a time range,
      // which the started_at index serves. One index fewer to update per interception.
      await db.schema.dropIndex('interceptions_client').execute();
    },
  },
};

/**
 * Kysely's Migrator: a table of applied versions, every pending migration in one
 * transaction, and on PostgreSQL an advisory lock so that replicas starting together
 * migrate once. A database already migrated by a newer Switchyard is refused (a version
 * it holds is missing here) rather than written to with the wrong schema.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
    migrationTableName: 'switchyard_migrations',
    migrationLockTableName: 'switchyard_migrations_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined)
    throw error instanceof Error ? error : new Error('migration failed', { cause: error });
}

/** Every version, oldest first, for tests. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** The newest version, for tests and /readyz. */
export const LATEST_MIGRATION = MIGRATION_NAMES.at(-1) ?? '';
