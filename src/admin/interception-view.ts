import type { TokenUsage } from '../dialects/token-usage.js';
import type {
  Interception,
  ToolCallRecord,
  UpstreamAttempt,
  UpstreamCallRecord,
} from '../recorder/interception.js';
import type { UsageGroup, UsagePoint } from '../recorder/sql/interception-store.js';
import { isoTime } from './iso-time.js';

/*
 * The admin API's JSON for interceptions, in DESIGN's field names. Records hold hints, never
 * secrets, so everything here may be shown to an operator.
 */

function usageView(usage: TokenUsage): Record<string, number> {
  return {
    input: usage.input,
    output: usage.output,
    cache_read: usage.cacheRead,
    cache_write: usage.cacheCreation,
  };
}

/** A detail's usage: the list's four counts, reasoning, and any others the API reported. */
function fullUsageView(
  usage: TokenUsage,
  other: Readonly<Record<string, number>> | undefined,
): Record<string, unknown> {
  return { ...usageView(usage), reasoning: usage.reasoning, other: other ?? {} };
}

/** One item of `GET /admin/api/interceptions`. */
export function interceptionItem(i: Interception): Record<string, unknown> {
  return {
    id: i.id,
    user: i.user,
    provider: i.provider,
    model: i.model,
    route: i.dialect,
    streaming: i.streaming,
    client: i.client.name,
    credential_kind: i.credentialKind,
    credential_hint: i.keyHint ?? null,
    started_at: isoTime(i.startedAt),
    ended_at: isoTime(i.endedAt),
    outcome: i.outcome,
    attempts: i.attempts,
    usage: usageView(i.usage),
    cost_usd: i.costUsd ?? null,
  };
}

function attemptView(a: UpstreamAttempt): Record<string, unknown> {
  return {
    key_hint: a.keyHint,
    key_index: a.keyIndex ?? null,
    status: a.status ?? null,
    latency_ms: a.latencyMs,
    failed_over: a.failedOver,
    upstream_request_id: a.upstreamRequestId ?? null,
    error: a.error ?? null,
  };
}

function callView(call: UpstreamCallRecord): Record<string, unknown> {
  return {
    iteration: call.iteration,
    usage: fullUsageView(call.usage, call.otherUsage),
    attempts: call.attempts.map(attemptView),
  };
}

function toolCallView(t: ToolCallRecord): Record<string, unknown> {
  return {
    iteration: t.iteration,
    server: t.server ?? null,
    tool: t.tool,
    injected: t.injected,
    arguments: t.arguments,
    duration_ms: t.durationMs ?? null,
    error: t.error ?? null,
  };
}

/** `GET /admin/api/interceptions/{id}`: the item, what went wrong, every attempt, tools, texts. */
export function interceptionDetail(i: Interception): Record<string, unknown> {
  return {
    ...interceptionItem(i),
    usage: fullUsageView(i.usage, i.otherUsage),
    status: i.status,
    error: i.error ?? null,
    duration_ms: i.durationMs,
    client_version: i.client.version ?? null,
    client_language: i.client.language ?? null,
    client_session_id: i.client.sessionId ?? null,
    user_agent: i.client.userAgent ?? null,
    upstream_calls: i.upstreamCalls.map(callView),
    tool_calls: i.toolCalls.map(toolCallView),
    prompt: i.prompt ?? null,
    thoughts: i.thoughts ?? null,
  };
}

export function usageGroupView(group: UsageGroup): Record<string, unknown> {
  return {
    key: group.key,
    requests: group.requests,
    input: group.input,
    output: group.output,
    cache_read: group.cacheRead,
    cache_write: group.cacheWrite,
    reasoning: group.reasoning,
    cost_usd: group.costUsd,
    unpriced: group.unpriced,
  };
}

/** One point of `GET /admin/api/usage/series`: a bucket's start, then a usage group's fields. */
export function usagePointView(point: UsagePoint): Record<string, unknown> {
  return { start: isoTime(point.start), ...usageGroupView(point) };
}
