import { notFound } from '../errors/gateway-error.js';
import { fromRows } from '../recorder/sql/interception-rows.js';
import { USAGE_GROUPS, type UsageGroupBy } from '../recorder/sql/interception-store.js';
import {
  fromDatabase,
  recordingOff,
  requireMethod,
  type AdminContext,
  type AdminRecords,
} from './admin-context.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { interceptionDetail, interceptionItem, usageGroupView } from './interception-view.js';
import { badParameter, QueryParams } from './query-params.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const LIST_PARAMS = ['limit', 'cursor', 'user', 'provider', 'model', 'since', 'until'];
const USAGE_PARAMS = ['group_by', 'since', 'until'];
const GROUPS = Object.keys(USAGE_GROUPS) as UsageGroupBy[];

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

function optional<K extends string>(
  name: K,
  value: string | undefined,
): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}
