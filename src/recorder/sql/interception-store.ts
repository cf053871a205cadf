import type { ControlledTransaction, Insertable, Kysely } from 'kysely';
import type { Interception } from '../interception.js';
import { fromRows, toRows } from './interception-rows.js';
import type { RecordingDatabase } from './open-database.js';
import type { InterceptionsTable, RecordingTables } from './tables.js';

/** Where a page of the newest-first list ends: the next page starts after it. */
export interface InterceptionCursor {
  readonly startedAt: number;
  readonly id: string;
}

export interface InterceptionQuery {
  readonly limit: number;
  readonly after?: InterceptionCursor;
  readonly user?: string;
  readonly provider?: string;
  readonly model?: string;
  /** Inclusive, epoch ms. */
  readonly since?: number;
  /** Exclusive, epoch ms. */
  readonly until?: number;
}

export interface InterceptionPage {
  readonly items: readonly InterceptionsTable[];
  readonly next: InterceptionCursor | undefined;
}

/**
 * Both engines accept tens of thousands of bound parameters per statement (SQLite 32,766,
 * PostgreSQL 65,535); rows are inserted in chunks that stay below either limit.
 */
const MAX_PARAMETERS = 30_000;

async function insertChunked<T extends keyof RecordingTables>(
  trx: ControlledTransaction<RecordingTables>,
  table: T,
  rows: readonly Insertable<RecordingTables[T]>[],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(first).length));
  for (let start = 0; start < rows.length; start += perChunk) {
    await trx
      .insertInto(table)
      .values(rows.slice(start, start + perChunk))
      // A batch retried after its commit went through but the answer was lost is
      // written once: every table's key is the interception's id (and a position).
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/** The recording queries, written once for SQLite and PostgreSQL. */
export class InterceptionStore {
  private readonly db: Kysely<RecordingTables>;

  constructor(database: RecordingDatabase) {
    this.db = database.db;
  }

  /** All of them or none, in one transaction; ids already stored are left as they are. */
  async insert(batch: readonly Interception[]): Promise<void> {
    if (batch.length === 0) return;
    const rows = batch.map(toRows);
    // A controlled transaction, so that when the rollback fails too (SQLite already rolled
    // back after an I/O error, a PostgreSQL connection is gone) the error that tells why
    // is the one thrown, not the rollback's.
    const trx = await this.db.startTransaction().execute();
    try {
      await insertChunked(
        trx,
        'interceptions',
        rows.map((r) => r.interception),
      );
      await insertChunked(
        trx,
        'upstream_calls',
        rows.flatMap((r) => r.calls),
      );
      await insertChunked(
        trx,
        'upstream_attempts',
        rows.flatMap((r) => r.attempts),
      );
      await insertChunked(
        trx,
        'tool_calls',
        rows.flatMap((r) => r.tools),
      );
      await insertChunked(
        trx,
        'interception_texts',
        rows.flatMap((r) => (r.texts === undefined ? [] : [r.texts])),
      );
      await trx.commit().execute();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      throw error;
    }
  }

  /** One interception with its calls, attempts, tool calls and texts. */
  async get(id: string): Promise<Interception | undefined> {
    const interception = await this.db
      .selectFrom('interceptions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (interception === undefined) return undefined;
    const [calls, attempts, tools, texts] = await Promise.all([
      this.db.selectFrom('upstream_calls').selectAll().where('interception_id', '=', id).execute(),
      this.db
        .selectFrom('upstream_attempts')
        .selectAll()
        .where('interception_id', '=', id)
        .execute(),
      this.db.selectFrom('tool_calls').selectAll().where('interception_id', '=', id).execute(),
      this.db
        .selectFrom('interception_texts')
        .selectAll()
        .where('interception_id', '=', id)
        .executeTakeFirst(),
    ]);
    return fromRows({ interception, calls, attempts, tools, texts });
  }

  /** Newest first, filtered, one page at a time (keyset pagination on started_at, id). */
  async list(query: InterceptionQuery): Promise<InterceptionPage> {
    let select = this.db.selectFrom('interceptions').selectAll();
    if (query.user !== undefined) select = select.where('user_name', '=', query.user);
    if (query.provider !== undefined) select = select.where('provider', '=', query.provider);
    if (query.model !== undefined) select = select.where('model', '=', query.model);
    if (query.since !== undefined) select = select.where('started_at', '>=', query.since);
    if (query.until !== undefined) select = select.where('started_at', '<', query.until);
    const after = query.after;
    if (after !== undefined) {
      select = select.where((eb) =>
        eb.or([
          eb('started_at', '<', after.startedAt),
          eb.and([eb('started_at', '=', after.startedAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await select
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      next:
        rows.length > query.limit && last !== undefined
          ? { startedAt: last.started_at, id: last.id }
          : undefined,
    };
  }

  /**
   * Deletes up to `limit` of the oldest interceptions started before `cutoff` (their calls,
   * attempts, tool calls and texts go with them) and says how many.
   */
  async deleteStartedBefore(cutoff: number, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('interceptions')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('interceptions')
          .select('id')
          .where('started_at', '<', cutoff)
          .orderBy('started_at')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('interceptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }
}
