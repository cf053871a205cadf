import type { Caller } from '../auth/caller.js';
import type { BreakerPass } from '../breaker/circuit-breaker.js';
import { parseBridgeRequest } from '../dialects/bridge-request.js';
import type { BridgeRequest, Dialect } from '../dialects/dialect.js';
import { asRecord } from '../dialects/json-access.js';
import { scanJson, type JsonObjectText } from '../dialects/json-object.js';
import { emptyUsage, type TokenUsage } from '../dialects/token-usage.js';
import { INJECTED_PREFIX } from '../mcp/tool-naming.js';
import { detectClient } from '../recorder/client-detection.js';
import type { Interception, ToolCallRecord, UpstreamCallRecord } from '../recorder/interception.js';
import { isEventStream } from '../sse/event-stream-head.js';
import { redactMessage } from '../log/redact.js';
import { sendWithFailover } from '../upstream/failover.js';
import type { Provider } from '../upstream/provider.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';
import { errorMessageOf } from '../upstream/upstream-error-message.js';
import type { BridgeDeps } from './bridge-deps.js';
import { relayBuffered } from './buffered-relay.js';
import { passBreaker, recordVerdict } from './circuit-guard.js';
import { presentedCredentials, recordTexts } from './record-texts.js';
import type { Exchange } from './exchange.js';
import { jsonRequestHeaders } from './json-request-headers.js';
import { failureOutcome, type Ending } from './failure-outcome.js';
import type { InterceptionWatch } from './observer.js';
import { relayStream } from './stream-relay.js';
import { runToolLoop } from './tool-loop.js';

/** What an interception did, whichever way it went, for the record. */
interface Done extends Ending {
  readonly usage: TokenUsage;
  readonly otherUsage?: Record<string, number> | undefined;
  readonly calls: readonly UpstreamCallRecord[];
  readonly toolCalls: readonly ToolCallRecord[];
  /** The model's reasoning text, when `recording.thoughts` asked for it and there was some. */
  readonly thoughts?: string | undefined;
}

/**
 * One interception, the same for every dialect: parse, call upstream (through the failover
 * loop, and through the agentic loop when the gateway has tools to offer), relay the answer
 * (streamed or whole) and record what happened. The dialect only says how its API's
 * bodies, usage, tool calls and in-stream errors look.
 */
export async function bridge(
  exchange: Exchange,
  provider: Provider,
  dialect: Dialect,
  upstreamPath: string,
  caller: Caller,
  body: Buffer,
  deps: BridgeDeps,
): Promise<void> {
  const request = parseBridgeRequest(body);
  const watch = deps.observer?.start({
    id: exchange.id,
    kind: 'bridged',
    provider: provider.name,
    dialect: dialect.id,
    model: request.model,
    streaming: request.stream,
    user: caller.user,
    credentialKind: caller.credential.kind,
    method: 'POST',
    upstreamPath,
    headers: exchange.req.headers,
    body,
    startedAt: exchange.startedAt,
  });
  if (watch !== undefined) {
    exchange.onCommit = () => {
      watch.committed?.(deps.clock.now());
    };
  }
  const tools = deps.tools?.snapshot();
  const done =
    tools !== undefined && tools.tools.length > 0 && dialect.agentic !== undefined
      ? await runToolLoop(
          {
            exchange,
            provider,
            dialect,
            codec: dialect.agentic,
            upstreamPath,
            caller,
            request,
            tools: tools.avoiding(dialect.tools.clientToolNames(request.body, INJECTED_PREFIX)),
            maxIterations: deps.maxIterations,
            watch,
          },
          deps,
        )
      : await singleCall(exchange, provider, dialect, upstreamPath, caller, request, deps, watch);
  // One call unless the agentic loop ran; flatMap was a measurable share of a bare request.
  const attempts: readonly UpstreamAttempt[] =
    done.calls.length === 1 ? (done.calls[0]?.attempts ?? []) : allAttempts(done.calls);
  const endedAt = deps.clock.now();
  // Everything below runs after the client has its answer: the record's own work.
  const texts = recordTexts(dialect, request, done.thoughts, deps.keepTexts, () => [
    ...knownSecrets(provider, caller),
    ...presentedCredentials(exchange.req.headers),
  ]);
  const costUsd = deps.pricer?.costUsd({
    provider: provider.name,
    providerType: provider.type,
    family: dialect.family,
    model: request.model,
    usage: done.usage,
    at: exchange.startedAt,
  });
  const record: Interception = {
    id: exchange.id,
    startedAt: exchange.startedAt,
    endedAt,
    durationMs: endedAt - exchange.startedAt,
    provider: provider.name,
    dialect: dialect.id,
    model: request.model,
    streaming: request.stream,
    user: caller.user,
    credentialKind: caller.credential.kind,
    keyHint: attempts.at(-1)?.keyHint,
    attempts: attempts.length,
    upstreamCalls: done.calls,
    toolCalls: done.toolCalls,
    status: done.status ?? 0,
    outcome: done.outcome,
    // Providers quote the key they were given in error messages; the record is logged.
    error:
      done.error === undefined
        ? undefined
        : redactMessage(done.error, knownSecrets(provider, caller)),
    usage: done.usage,
    ...(done.otherUsage === undefined ? {} : { otherUsage: done.otherUsage }),
    client: detectClient(exchange.req.headers, dialect.family),
    ...texts,
    ...(costUsd === undefined ? {} : { costUsd }),
  };
  deps.sink.record(record);
  watch?.end?.({
    outcome: record.outcome,
    status: record.status,
    error: record.error,
    attempts,
    record,
    endedAt,
  });
}

function allAttempts(calls: readonly UpstreamCallRecord[]): UpstreamAttempt[] {
  const out: UpstreamAttempt[] = [];
  for (const call of calls) out.push(...call.attempts);
  return out;
}

/** The credentials an upstream error message of this interception could quote. */
function knownSecrets(provider: Provider, caller: Caller): string[] {
  const pool = provider.pool.keys.map((key) => key.secret);
  return caller.credential.kind === 'byok' ? [caller.credential.token, ...pool] : pool;
}

function indexedAnswer(bytes: Buffer): JsonObjectText | undefined {
  const scan = scanJson(bytes);
  return scan.kind === 'object' ? scan.object : undefined;
}

/**
 * The `usage` member of a whole answer, or undefined when it is not a JSON object. JSON.parse
 * rather than `scanJson`: on answers of about 1 KB it is as fast or faster
 * (`npm run bench:json-paths`), and only the thoughts recorder needs the indexed answer.
 */
function usageMember(bytes: Buffer): unknown {
  try {
    return asRecord(JSON.parse(bytes.toString('utf8')))?.['usage'];
  } catch {
    return undefined;
  }
}

/** A bridged call without the gateway's tools: one upstream call, relayed as it comes. */
async function singleCall(
  exchange: Exchange,
  provider: Provider,
  dialect: Dialect,
  upstreamPath: string,
  caller: Caller,
  request: BridgeRequest,
  deps: BridgeDeps,
  watch: InterceptionWatch | undefined,
): Promise<Done> {
  const attempts: UpstreamAttempt[] = [];
  let usage: TokenUsage = emptyUsage();
  let otherUsage: Record<string, number> | undefined;
  let thoughts: string | undefined;
  let ending: Ending;
  let pass: BreakerPass | undefined;
  let thrownError: unknown;
  try {
    pass = passBreaker(provider.breakers, dialect.id, request.model);
    const response = await sendWithFailover(
      provider,
      caller.credential,
      {
        method: 'POST',
        path: upstreamPath,
        headers: jsonRequestHeaders(exchange, caller, deps),
        body: dialect.upstreamBody(request),
        cancellation: exchange.cancellation,
        watch,
      },
      deps.clock,
      attempts,
    );
    const { status } = response;
    const ok = status >= 200 && status < 300;
    if (ok && request.stream && isEventStream(response.headers)) {
      const observer = dialect.observeStream(request, {
        collectThoughts: deps.keepTexts.thoughts,
      });
      const result = await relayStream(exchange, response, observer, dialect.family);
      usage = observer.usage;
      otherUsage = observer.otherUsage();
      thoughts = observer.thoughts();
      ending = { ...result, status };
    } else {
      let whole: Buffer | undefined;
      await relayBuffered(exchange, dialect.family, response, (bytes) => {
        whole = bytes;
      });
      if (ok && whole !== undefined) {
        const answer = deps.keepTexts.thoughts ? indexedAnswer(whole) : undefined;
        const reported = answer === undefined ? usageMember(whole) : answer.value('usage');
        usage = dialect.usageOf(reported);
        otherUsage = dialect.otherUsageOf(reported);
        if (answer !== undefined) thoughts = dialect.thoughtsOf(answer);
      }
      ending = {
        status,
        outcome: exchange.clientGone ? 'cancelled' : ok ? 'completed' : 'upstream_error',
        error: ok
          ? undefined
          : ((whole === undefined ? undefined : errorMessageOf(whole)) ??
            `upstream answered ${status}`),
      };
    }
  } catch (thrown) {
    thrownError = thrown;
    ending = failureOutcome(exchange, dialect.family, thrown, deps.logger);
  }
  recordVerdict(pass, ending, thrownError);
  return {
    ...ending,
    usage,
    otherUsage,
    calls: [{ iteration: 0, attempts, usage, ...(otherUsage === undefined ? {} : { otherUsage }) }],
    toolCalls: [],
    thoughts,
  };
}
