import { notFound } from '../errors/gateway-error.js';
import { fromRows } from '../recorder/sql/interception-rows.js';
import {
  SERIES_BUCKETS,
  USAGE_GROUPS,
  type SeriesBucket,
  type SeriesBy,
  type UsageGroupBy,
} from '../recorder/sql/usage-groups.js';
import {
  fromDatabase,
  recordingOff,
  requireMethod,
  type AdminContext,
  type AdminRecords,
} from './admin-context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  interceptionDetail,
  interceptionItem,
  usageGroupView,
  usagePointView,
} from './interception-view.js';
import { badParameter, QueryParams } from './query-params.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const LIST_PARAMS = ['limit', 'cursor', 'user', 'provider', 'model', 'since', 'until'];
const USAGE_PARAMS = ['group_by', 'since', 'until'];
const GROUPS = Object.keys(USAGE_GROUPS) as UsageGroupBy[];
const SERIES_PARAMS = ['bucket', 'by', 'since', 'until'];
const BUCKETS = Object.keys(SERIES_BUCKETS) as SeriesBucket[];
const SERIES_BY = GROUPS.filter((group): group is SeriesBy => group !== 'day');

function records(context: AdminContext): AdminRecords {
  if (context.records === undefined) throw recordingOff();
  return context.records;
}

/** `GET /admin/api/interceptions`: newest first, filtered, a page at a time. */
export async function listInterceptions(context: AdminContext): Promise<void> {
  requireMethod(context, 'GET');
  const params = new QueryParams(context.search, LIST_PARAMS);
  const cursorText = params.text('cursor', 700);
  const after = cursorText === undefined ? undefined : decodeCursor(cursorText);
  if (cursorText !== undefined && after === undefined) {
    throw badParameter('cursor', 'not a cursor this API gave out (pass next_cursor as it came)');
  }
  const query = {
    limit: params.integer('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT,
    ...(after === undefined ? {} : { after }),
    ...optional('user', params.text('user')),
    ...optional('provider', params.text('provider')),
    ...optional('model', params.text('model')),
    ...params.timeRange(),
  };
  const store = records(context);
  const page = await fromDatabase(context, () => store.use((s) => s.list(query)));
  const items = page.items.map((row) =>
    interceptionItem(
      fromRows({ interception: row, calls: [], attempts: [], tools: [], texts: undefined }),
    ),
  );
  context.exchange.sendJson(
    200,
    JSON.stringify({
      items,
      next_cursor: page.next === undefined ? null : encodeCursor(page.next),
    }),
  );
}

/** `GET /admin/api/interceptions/{id}`. */
export async function showInterception(context: AdminContext, id: string): Promise<void> {
  requireMethod(context, 'GET');
  new QueryParams(context.search, []);
  const store = records(context);
  const found = await fromDatabase(context, () => store.use((s) => s.get(id)));
  if (found === undefined) throw notFound(`no interception ${id.slice(0, 100)}`);
  context.exchange.sendJson(200, JSON.stringify(interceptionDetail(found)));
}

/** `GET /admin/api/usage?group_by=…`: requests, tokens and cost per group. */
export async function usageReport(context: AdminContext): Promise<void> {
  requireMethod(context, 'GET');
  const params = new QueryParams(context.search, USAGE_PARAMS);
  const groupBy = params.oneOf('group_by', GROUPS);
  if (groupBy === undefined) {
    throw badParameter('group_by', `required, one of ${GROUPS.join(', ')}`);
  }
  const query = { groupBy, ...params.timeRange() };
  const store = records(context);
  const groups = await fromDatabase(context, () => store.use((s) => s.usage(query)));
  context.exchange.sendJson(200, JSON.stringify({ groups: groups.map(usageGroupView) }));
}

/**
 * `GET /admin/api/usage/series?bucket=hour|day&by=user|model|provider|client&since=&until=`:
 * the usage report per UTC hour or day and key, for the dashboard's charts.
 */
export async function usageSeries(context: AdminContext): Promise<void> {
  requireMethod(context, 'GET');
  const params = new QueryParams(context.search, SERIES_PARAMS);
  const bucket = params.oneOf('bucket', BUCKETS);
  if (bucket === undefined) throw badParameter('bucket', `required, one of ${BUCKETS.join(', ')}`);
  const by = params.oneOf('by', SERIES_BY);
  if (by === undefined) throw badParameter('by', `required, one of ${SERIES_BY.join(', ')}`);
  const query = { bucket, by, ...params.timeRange() };
  const store = records(context);
  const points = await fromDatabase(context, () => store.use((s) => s.usageSeries(query)));
  context.exchange.sendJson(
    200,
    JSON.stringify({ bucket, by, points: points.map(usagePointView) }),
  );
}

function optional<K extends string>(
  name: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}
