import type { DialectId } from '../../dialects/dialect.js';
import type { TokenUsage } from '../../dialects/token-usage.js';
import type {
  ClientInfo,
  ClientName,
  Interception,
  InterceptionOutcome,
  ToolCallRecord,
  UpstreamAttempt,
  UpstreamCallRecord,
} from '../interception.js';
import type {
  InterceptionTextsTable,
  InterceptionsTable,
  ListedInterception,
  ToolCallsTable,
  UpstreamAttemptsTable,
  UpstreamCallsTable,
} from './tables.js';

/** The rows one interception is written as; its upstream calls are `interception.upstream`. */
export interface InterceptionRows {
  readonly interception: InterceptionsTable;
  readonly tools: ToolCallsTable[];
  readonly texts: InterceptionTextsTable | undefined;
}

/**
 * The rows read back. A listed row has no `upstream` (its calls are not read); `calls` and
 * `attempts` are the rows of an interception written before migration 0003, which kept its
 * upstream calls in tables of their own, and are empty for one written since.
 */
export interface StoredRows extends Omit<InterceptionRows, 'interception'> {
  readonly interception: ListedInterception & { readonly upstream?: string | null };
  readonly calls: UpstreamCallsTable[];
  readonly attempts: UpstreamAttemptsTable[];
}

interface UsageColumns {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  other_usage: string | null;
}

/** PostgreSQL's text cannot hold NUL; both engines store the same text so reads agree. */
function text(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

function optionalText(value: string | undefined): string | null {
  return value === undefined ? null : text(value);
}

function usageColumns(
  usage: TokenUsage,
  other: Readonly<Record<string, number>> | undefined,
): UsageColumns {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_tokens: usage.cacheRead,
    cache_write_tokens: usage.cacheCreation,
    reasoning_tokens: usage.reasoning,
    other_usage:
      other === undefined || Object.keys(other).length === 0 ? null : JSON.stringify(other),
  };
}

/**
 * One attempt in the `upstream` JSON, positional: the row's width is read by every list and
 * usage scan, and named members made it several times as long as the values.
 */
type StoredAttempt = [
  keyHint: string,
  keyIndex: number | null,
  status: number | null,
  latencyMs: number,
  failedOver: 0 | 1,
  upstreamRequestId: string | null,
  error: string | null,
];

/** One upstream call in the `upstream` JSON, positional like its attempts. */
type StoredCall = [
  iteration: number,
  input: number,
  output: number,
  cacheRead: number,
  cacheWrite: number,
  reasoning: number,
  otherUsage: Readonly<Record<string, number>> | null,
  attempts: StoredAttempt[],
];

function storedCall(call: UpstreamCallRecord): StoredCall {
  const { usage, otherUsage } = call;
  return [
    call.iteration,
    usage.input,
    usage.output,
    usage.cacheRead,
    usage.cacheCreation,
    usage.reasoning,
    otherUsage === undefined || Object.keys(otherUsage).length === 0 ? null : otherUsage,
    call.attempts.map((a) => [
      text(a.keyHint),
      a.keyIndex ?? null,
      a.status ?? null,
      Math.round(a.latencyMs),
      a.failedOver ? 1 : 0,
      optionalText(a.upstreamRequestId),
      optionalText(a.error),
    ]),
  ];
}

function callOfStored([
  iteration,
  input,
  output,
  cacheRead,
  cacheCreation,
  reasoning,
  otherUsage,
  attempts,
]: StoredCall): UpstreamCallRecord {
  return {
    iteration,
    attempts: attempts.map(
      ([keyHint, keyIndex, status, latencyMs, failedOver, upstreamRequestId, error]) => ({
        keyHint,
        keyIndex: orUndefined(keyIndex),
        status: orUndefined(status),
        latencyMs,
        failedOver: failedOver === 1,
        upstreamRequestId: orUndefined(upstreamRequestId),
        error: orUndefined(error),
      }),
    ),
    usage: { input, output, cacheRead, cacheCreation, reasoning },
    ...(otherUsage === null ? {} : { otherUsage: { ...otherUsage } }),
  };
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function toRows(i: Interception): InterceptionRows {
  const id = i.id;
  return {
    interception: {
      id,
      started_at: i.startedAt,
      ended_at: i.endedAt,
      started_day: utcDay(i.startedAt),
      user_name: text(i.user),
      provider: i.provider,
      route: i.dialect,
      model: text(i.model),
      streaming: i.streaming ? 1 : 0,
      credential_kind: i.credentialKind,
      credential_hint: optionalText(i.keyHint),
      attempts: i.attempts,
      status: i.status,
      outcome: i.outcome,
      error: optionalText(i.error),
      client_name: i.client.name,
      client_version: optionalText(i.client.version),
      client_language: optionalText(i.client.language),
      client_session_id: optionalText(i.client.sessionId),
      client_user_agent: optionalText(i.client.userAgent),
      ...usageColumns(i.usage, i.otherUsage),
      cost_usd: i.costUsd ?? null,
      upstream: JSON.stringify(i.upstreamCalls.map(storedCall)),
    },
    tools: i.toolCalls.map((t, position) => ({
      interception_id: id,
      position,
      iteration: t.iteration,
      server: optionalText(t.server),
      tool: text(t.tool),
      injected: t.injected ? 1 : 0,
      arguments: text(t.arguments),
      duration_ms: t.durationMs === undefined ? null : Math.round(t.durationMs),
      error: optionalText(t.error),
    })),
    texts:
      i.prompt === undefined && i.thoughts === undefined
        ? undefined
        : {
            interception_id: id,
            prompt: optionalText(i.prompt),
            thoughts: optionalText(i.thoughts),
          },
  };
}

function orUndefined<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

function usageOf(row: UsageColumns): TokenUsage {
  return {
    input: row.input_tokens,
    output: row.output_tokens,
    cacheRead: row.cache_read_tokens,
    cacheCreation: row.cache_write_tokens,
    reasoning: row.reasoning_tokens,
  };
}

function otherUsageOf(row: UsageColumns): { otherUsage?: Record<string, number> } {
  return row.other_usage === null
    ? {}
    : { otherUsage: JSON.parse(row.other_usage) as Record<string, number> };
}

function clientOf(row: ListedInterception): ClientInfo {
  return {
    name: row.client_name as ClientName,
    ...(row.client_version === null ? {} : { version: row.client_version }),
    ...(row.client_language === null ? {} : { language: row.client_language }),
    ...(row.client_session_id === null ? {} : { sessionId: row.client_session_id }),
    ...(row.client_user_agent === null ? {} : { userAgent: row.client_user_agent }),
  };
}

function attemptOf(row: UpstreamAttemptsTable): UpstreamAttempt {
  return {
    keyHint: row.key_hint,
    keyIndex: orUndefined(row.key_index),
    status: orUndefined(row.status),
    latencyMs: row.latency_ms,
    failedOver: row.failed_over === 1,
    upstreamRequestId: orUndefined(row.upstream_request_id),
    error: orUndefined(row.error),
  };
}

function toolCallOf(row: ToolCallsTable): ToolCallRecord {
  return {
    iteration: row.iteration,
    server: orUndefined(row.server),
    tool: row.tool,
    injected: row.injected === 1,
    arguments: row.arguments,
    durationMs: orUndefined(row.duration_ms),
    error: orUndefined(row.error),
  };
}

/** The calls of a row written before migration 0003, from their own tables' rows. */
function callsFromTables(rows: StoredRows): UpstreamCallRecord[] {
  return [...rows.calls]
    .sort((a, b) => a.iteration - b.iteration)
    .map((call) => ({
      iteration: call.iteration,
      attempts: rows.attempts
        .filter((a) => a.iteration === call.iteration)
        .sort((a, b) => a.position - b.position)
        .map(attemptOf),
      usage: usageOf(call),
      ...otherUsageOf(call),
    }));
}

/** The interception the rows were made from (children in any order). */
export function fromRows(rows: StoredRows): Interception {
  const row = rows.interception;
  const calls =
    row.upstream == null
      ? callsFromTables(rows)
      : (JSON.parse(row.upstream) as StoredCall[]).map(callOfStored);
  return {
    id: row.id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs: row.ended_at - row.started_at,
    provider: row.provider,
    dialect: row.route as DialectId,
    model: row.model,
    streaming: row.streaming === 1,
    user: row.user_name,
    credentialKind: row.credential_kind as Interception['credentialKind'],
    keyHint: orUndefined(row.credential_hint),
    attempts: row.attempts,
    status: row.status,
    outcome: row.outcome as InterceptionOutcome,
    error: orUndefined(row.error),
    usage: usageOf(row),
    ...otherUsageOf(row),
    upstreamCalls: calls,
    toolCalls: [...rows.tools].sort((a, b) => a.position - b.position).map(toolCallOf),
    client: clientOf(row),
    ...(rows.texts?.prompt == null ? {} : { prompt: rows.texts.prompt }),
    ...(rows.texts?.thoughts == null ? {} : { thoughts: rows.texts.thoughts }),
    ...(row.cost_usd === null ? {} : { costUsd: row.cost_usd }),
  };
}
