import type { IssuedTokenRecord, IssuedTokenStore } from '../auth/issued-token-store.js';
import { newToken, noteProblem, userProblem } from '../auth/issue-token.js';
import { ConfigError } from '../config/config-error.js';
import { describeDatabaseTarget } from '../config/database-target.js';
import { loadConfig, type GatewayConfig } from '../config/load.js';
import { describeDatabaseError } from '../recorder/sql/database-errors.js';
import { EXIT_CONFIG, EXIT_USAGE } from './exit-codes.js';
import { TOKENS_USAGE } from './usage.js';

export interface TokensArgs {
  readonly config: string | undefined;
  readonly user: string | undefined;
  readonly note: string | undefined;
}

/** Something went wrong that is not the command line's or the configuration's fault. */
const EXIT_FAILED = 1;

/** A SQLite file a running gateway writes to may be locked for a moment: wait for it. */
const BUSY_TIMEOUT_MS = 5000;

class UsageError extends Error {}

function fail(message: string, code: number): number {
  process.stderr.write(`switchyard tokens: ${message}\n`);
  return code;
}

function time(ms: number | undefined): string {
  return ms === undefined ? '-' : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Columns padded to their widest cell; the last one (the note) runs free. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths?.[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function listing(records: readonly IssuedTokenRecord[]): string {
  if (records.length === 0)
    return 'No issued gateway tokens. Create one: switchyard tokens create --user NAME\n';
  const rows = records.map((r) => [
    r.id,
    r.user,
    r.hint ?? '-',
    time(r.createdAt),
    time(r.lastUsedAt),
    r.revokedAt === undefined ? 'active' : `revoked ${time(r.revokedAt)}`,
    (r.note ?? '').replace(/\s+/g, ' '),
  ]);
  return `${table([['ID', 'USER', 'HINT', 'CREATED', 'LAST USED', 'STATE', 'NOTE'], ...rows])}\n`;
}

async function create(store: IssuedTokenStore, user: string, note: string | undefined) {
  const made = newToken();
  await store.insert({
    id: made.id,
    user,
    note,
    tokenHash: made.tokenHash,
    hint: made.hint,
    createdAt: Date.now(),
  });
  // The token alone on stdout, so that TOKEN=$(switchyard tokens create …) works; the rest
  // is for the person at the terminal.
  process.stdout.write(`${made.token}\n`);
  process.stderr.write(
    `Created gateway token ${made.id} for ${user}. It is shown this once: only its hash is stored.\n` +
      `Running gateways accept it within a second or so. Revoke it with: switchyard tokens revoke ${made.id}\n`,
  );
}

async function revoke(store: IssuedTokenStore, id: string): Promise<number> {
  const before = (await store.list()).find((r) => r.id === id);
  if (before === undefined)
    return fail(`no token with id ${id} (see: switchyard tokens list)`, EXIT_FAILED);
  const record = await store.revoke(id, Date.now());
  if (before.revokedAt !== undefined) {
    process.stdout.write(
      `${id} (${before.user}) was already revoked at ${time(before.revokedAt)}\n`,
    );
  } else {
    process.stdout.write(
      `Revoked ${id} (${record?.user ?? before.user}). Running gateways refuse it within a second or so.\n`,
    );
  }
  return 0;
}

interface Plan {
  readonly action: 'create' | 'list' | 'revoke';
  readonly run: (store: IssuedTokenStore) => Promise<number>;
}

/** What the command line asks for, checked before any database is opened. */
function plan(args: TokensArgs, positionals: readonly string[]): Plan {
  const [action, ...rest] = positionals;
  const only = (allowed: readonly (keyof TokensArgs)[]): void => {
    for (const flag of ['user', 'note'] as const) {
      if (args[flag] !== undefined && !allowed.includes(flag)) {
        throw new UsageError(`--${flag} is only for tokens create`);
      }
    }
  };
  switch (action) {
    case 'create': {
      only(['user', 'note']);
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
      const user = args.user;
      if (user === undefined) throw new UsageError('create needs --user NAME');
      const userIssue = userProblem(user);
      if (userIssue !== undefined) throw new UsageError(`--user ${userIssue}`);
      const note = args.note === '' ? undefined : args.note;
      const noteIssue = note === undefined ? undefined : noteProblem(note);
      if (noteIssue !== undefined) throw new UsageError(`--note ${noteIssue}`);
      return {
        action,
        run: async (store) => {
          await create(store, user, note);
          return 0;
        },
      };
    }
    case 'list':
      only([]);
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
      return {
        action,
        run: async (store) => {
          process.stdout.write(listing(await store.list()));
          return 0;
        },
      };
    case 'revoke': {
      only([]);
      const [id, ...extra] = rest;
      if (id === undefined)
        throw new UsageError('revoke needs the token id (see: switchyard tokens list)');
      if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
      return { action, run: (store) => revoke(store, id) };
    }
    case undefined:
      throw new UsageError('say what to do: create, list or revoke');
    default:
      throw new UsageError(`unknown action "${action}" (create, list or revoke)`);
  }
}

function configOf(file: string | undefined, env: NodeJS.ProcessEnv): GatewayConfig | number {
  try {
    return loadConfig(file, env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(`config error: ${error.message}`, EXIT_CONFIG);
    throw error;
  }
}

/**
 * `switchyard tokens create|list|revoke`: issued gateway tokens in the configured database,
 * read the way `serve` reads its configuration. Only a token's hash and hint are stored.
 */
export async function tokens(
  args: TokensArgs,
  positionals: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let planned: Plan;
  try {
    planned = plan(args, positionals);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return fail(`${error.message}\n\n${TOKENS_USAGE}`, EXIT_USAGE);
  }
  const config = configOf(args.config, env);
  if (typeof config === 'number') return config;
  const target = config.database;
  if (target.engine === 'off') {
    return fail(
      'database is off: issued tokens live in the database; set database (or SWITCHYARD_DATABASE) to sqlite:PATH or postgres://…',
      EXIT_CONFIG,
    );
  }
  const where = describeDatabaseTarget(target);
  // The SQL layer and the driver only now: a usage error needs neither.
  const { openDatabase } = await import('../recorder/sql/open-database.js');
  const { GatewayTokenStore } = await import('../recorder/sql/gateway-token-store.js');
  let database;
  try {
    database = await openDatabase(target, { sqliteBusyTimeoutMs: BUSY_TIMEOUT_MS });
  } catch (error) {
    return fail(`cannot open ${where}: ${describeDatabaseError(error)}`, EXIT_FAILED);
  }
  try {
    return await planned.run(new GatewayTokenStore(database.db));
  } catch (error) {
    return fail(
      `${planned.action} failed on ${where}: ${describeDatabaseError(error)}`,
      EXIT_FAILED,
    );
  } finally {
    await database.close();
  }
}
