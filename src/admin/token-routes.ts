import type { IssuedTokenRecord } from '../auth/issued-token-store.js';
import type { IssuedTokens } from '../auth/issued-tokens.js';
import { noteProblem, userProblem } from '../auth/issue-token.js';
import { invalidRequest, notFound } from '../errors/gateway-error.js';
import { readRequestBody } from '../server/request-body.js';
import { fromDatabase, recordingOff, requireMethod, type AdminContext } from './admin-context.js';
import { isoTime } from './iso-time.js';
import { QueryParams } from './query-params.js';

/** A token-creation body is a user name and a note: far below this. */
const BODY_LIMIT = 64 * 1024;

function issued(context: AdminContext): IssuedTokens {
  if (context.issuedTokens === undefined) throw recordingOff();
  return context.issuedTokens;
}

const optionalTime = (ms: number | undefined): string | null =>
  ms === undefined ? null : isoTime(ms);

export function tokenView(record: IssuedTokenRecord): Record<string, unknown> {
  return {
    id: record.id,
    user: record.user,
    note: record.note ?? null,
    hint: record.hint ?? null,
    created_at: isoTime(record.createdAt),
    last_used_at: optionalTime(record.lastUsedAt),
    revoked_at: optionalTime(record.revokedAt),
  };
}

/** `{user, note?}`, checked field by field. */
async function creationRequest(
  context: AdminContext,
): Promise<{ user: string; note: string | undefined }> {
  const body = await readRequestBody(context.exchange.req, BODY_LIMIT);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidRequest('the body must be JSON: {"user": "NAME", "note": "optional text"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(
      'the body must be a JSON object: {"user": "NAME", "note": "optional text"}',
    );
  }
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((name) => name !== 'user' && name !== 'note');
  if (unknown !== undefined) {
    throw invalidRequest(
      `unknown field ${JSON.stringify(unknown.slice(0, 100))} (known: user, note)`,
    );
  }
  const { user, note } = fields;
  if (typeof user !== 'string') throw invalidRequest('user: required, a string');
  const userIssue = userProblem(user);
  if (userIssue !== undefined) throw invalidRequest(`user: ${userIssue}`);
  if (note !== undefined && note !== null && typeof note !== 'string') {
    throw invalidRequest('note: expected a string');
  }
  const noteText = typeof note === 'string' && note !== '' ? note : undefined;
  const noteIssue = noteText === undefined ? undefined : noteProblem(noteText);
  if (noteIssue !== undefined) throw invalidRequest(`note: ${noteIssue}`);
  return { user, note: noteText };
}

/** `GET /admin/api/tokens` and `POST /admin/api/tokens`. */
export async function tokensCollection(context: AdminContext): Promise<void> {
  new QueryParams(context.search, []);
  if (context.method === 'GET') {
    const tokens = issued(context);
    const list = await fromDatabase(context, () => tokens.list());
    context.exchange.sendJson(200, JSON.stringify({ items: list.map(tokenView) }));
    return;
  }
  requireMethod(context, 'POST');
  const tokens = issued(context);
  const { user, note } = await creationRequest(context);
  const created = await fromDatabase(context, () => tokens.create(user, note));
  // The only time the token is seen: nothing may keep a copy of this answer.
  context.exchange.sendJson(
    201,
    JSON.stringify({ ...tokenView(created.record), token: created.token }),
    { 'cache-control': 'no-store' },
  );
}

/** `DELETE /admin/api/tokens/{id}`: refused everywhere at once (other processes within a poll). */
export async function revokeToken(context: AdminContext, id: string): Promise<void> {
  requireMethod(context, 'DELETE');
  new QueryParams(context.search, []);
  const tokens = issued(context);
  const record = await fromDatabase(context, () => tokens.revoke(id));
  if (record === undefined) throw notFound(`no gateway token ${id.slice(0, 100)}`);
  context.exchange.sendJson(200, JSON.stringify(tokenView(record)));
}
