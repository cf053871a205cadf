import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Interception } from '../interception.js';
import { InsertStatements } from './insert-statements.js';
import { fromRows, toRows } from './interception-rows.js';
import type { RecordingDatabase } from './open-database.js';
import type { ListedInterception, RecordingTables } from './tables.js';
import {
  SERIES_BUCKETS,
  USAGE_GROUPS,
  type SeriesBucket,
  type SeriesBy,
  type UsageGroupBy,
} from './usage-groups.js';

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
  readonly items: readonly ListedInterception[];
  readonly next: InterceptionCursor | undefined;
}

export interface UsageQuery {
  readonly groupBy: UsageGroupBy;
  /** Inclusive, epoch ms. */
  readonly since?: number;
  /** Exclusive, epoch ms. */
  readonly until?: number;
}

/** One group's sums. */
export interface UsageGroup {
  readonly key: string;
  readonly requests: number;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly reasoning: number;
  /** The sum over the priced interceptions; null when none of them is priced. */
  readonly costUsd: number | null;
  /** Interceptions without a cost (their model is not in the price table). */
  readonly unpriced: number;
}

export interface UsageSeriesQuery {
  readonly bucket: SeriesBucket;
  readonly by: SeriesBy;
  /** Inclusive, epoch ms. */
  readonly since?: number;
  /** Exclusive, epoch ms. */
  readonly until?: number;
}

/** One bucket's sums for one key (user, model, …). */
export interface UsagePoint extends UsageGroup {
  /** Where the bucket starts, epoch ms. */
  readonly start: number;
}

/**
 * Every column of the list's rows but the upstream calls, which the list does not show: its
 * scan stays as narrow as before they moved into the row (migration 0003).
 */
const LISTED_COLUMNS = [
  'id',
  'started_at',
  'ended_at',
  'started_day',
  'user_name',
  'provider',
  'route',
  'model',
  'streaming',
  'credential_kind',
  'credential_hint',
  'attempts',
  'status',
  'outcome',
  'error',
  'client_name',
  'client_version',
  'client_language',
  'client_session_id',
  'client_user_agent',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'other_usage',
  'cost_usd',
] as const satisfies readonly (keyof ListedInterception)[];

const CHILD_TABLES = [
  'upstream_calls',
  'upstream_attempts',
  'tool_calls',
  'interception_texts',
] as const;

/** The recording queries, written once for SQLite and PostgreSQL. */
export class InterceptionStore {
  private readonly db: Kysely<RecordingTables>;
  private readonly inserts: InsertStatements;

  constructor(database: RecordingDatabase) {
    this.db = database.db;
    this.inserts = new InsertStatements(database.db);
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
      await this.inserts.insert(
        trx,
        'interceptions',
        rows.map((r) => r.interception),
      );
      await this.inserts.insert(
        trx,
        'tool_calls',
        rows.flatMap((r) => r.tools),
      );
      await this.inserts.insert(
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
    // Only a row written before migration 0003 has its calls in tables of their own.
    const inTables = interception.upstream === null;
    const [calls, attempts, tools, texts] = await Promise.all([
      inTables
        ? this.db
            .selectFrom('upstream_calls')
            .selectAll()
            .where('interception_id', '=', id)
            .execute()
        : [],
      inTables
        ? this.db
            .selectFrom('upstream_attempts')
            .selectAll()
            .where('interception_id', '=', id)
            .execute()
        : [],
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
    let select = this.db.selectFrom('interceptions').select(LISTED_COLUMNS);
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
   * Requests, tokens and cost per user, model, provider, client or UTC day, in one grouped
   * query. Days come in order; other groups by requests, most first.
   */
  async usage(query: UsageQuery): Promise<UsageGroup[]> {
    const column = USAGE_GROUPS[query.groupBy];
    let select = this.db
      .selectFrom('interceptions')
      .select((eb) => [eb.ref(column).as('key'), ...usageTotals(eb)]);
    if (query.since !== undefined) select = select.where('started_at', '>=', query.since);
    if (query.until !== undefined) select = select.where('started_at', '<', query.until);
    const grouped = select.groupBy(column);
    const rows = await (
      query.groupBy === 'day'
        ? grouped.orderBy(column)
        : grouped.orderBy('requests', 'desc').orderBy(column)
    ).execute();
    // PostgreSQL's sums of INTEGER and its count are BIGINT, read back as numbers (see
    // postgres-connection.ts), so both engines answer alike.
    return rows.map(usageGroupOf);
  }

  /**
   * The usage report over time: requests, tokens and cost per bucket (UTC hour or day) and
   * key, oldest bucket first, keys in order within one. Empty buckets are left out.
   */
  async usageSeries(query: UsageSeriesQuery): Promise<UsagePoint[]> {
    const column = USAGE_GROUPS[query.by];
    // A literal width, not a parameter: PostgreSQL matches the GROUP BY expression to the
    // selected one by its text, and two parameters would be two different expressions.
    // Integer arithmetic on BIGINT milliseconds in both engines, so no date functions differ.
    const width = sql.lit(SERIES_BUCKETS[query.bucket]);
    const start = sql<number>`started_at - started_at % ${width}`;
    let select = this.db
      .selectFrom('interceptions')
      .select((eb) => [start.as('start'), eb.ref(column).as('key'), ...usageTotals(eb)]);
    if (query.since !== undefined) select = select.where('started_at', '>=', query.since);
    if (query.until !== undefined) select = select.where('started_at', '<', query.until);
    const rows = await select.groupBy([start, column]).orderBy(start).orderBy(column).execute();
    return rows.map((row) => ({ start: row.start, ...usageGroupOf(row) }));
  }

  /**
   * Deletes up to `limit` of the oldest interceptions started before `cutoff`, with their
   * calls, attempts, tool calls and texts, in one transaction; says how many.
   */
  async deleteStartedBefore(cutoff: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const ids = (
        await trx
          .selectFrom('interceptions')
          .select('id')
          .where('started_at', '<', cutoff)
          .orderBy('started_at')
          .limit(limit)
          .execute()
      ).map((row) => row.id);
      if (ids.length === 0) return 0;
      for (const table of CHILD_TABLES) {
        await trx.deleteFrom(table).where('interception_id', 'in', ids).execute();
      }
      const result = await trx
        .deleteFrom('interceptions')
        .where('id', 'in', ids)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('interceptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return row.n;
  }
}

/** The sums every usage report selects, over the interceptions it groups. */
function usageTotals(eb: ExpressionBuilder<RecordingTables, 'interceptions'>) {
  return [
    eb.fn.countAll<number>().as('requests'),
    eb.fn.sum<number>('input_tokens').as('input'),
    eb.fn.sum<number>('output_tokens').as('output'),
    eb.fn.sum<number>('cache_read_tokens').as('cache_read'),
    eb.fn.sum<number>('cache_write_tokens').as('cache_write'),
    eb.fn.sum<number>('reasoning_tokens').as('reasoning'),
    eb.fn.sum<number | null>('cost_usd').as('cost_usd'),
    eb.fn
      .sum<number>(eb.case().when('cost_usd', 'is', null).then(eb.lit(1)).else(eb.lit(0)).end())
      .as('unpriced'),
  ] as const;
}

/** One row of usageTotals' sums, as the admin API's usage group. */
function usageGroupOf(row: {
  readonly key: UsageGroup['key'];
  readonly requests: number;
  readonly input: number;
  readonly output: number;
  readonly cache_read: number;
  readonly cache_write: number;
  readonly reasoning: number;
  readonly cost_usd: number | null;
  readonly unpriced: number;
}): UsageGroup {
  return {
    key: row.key,
    requests: row.requests,
    input: row.input,
    output: row.output,
    cacheRead: row.cache_read,
    cacheWrite: row.cache_write,
    reasoning: row.reasoning,
    costUsd: row.cost_usd,
    unpriced: row.unpriced,
  };
}
