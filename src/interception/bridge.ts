import { randomUUID } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { Clock } from '../keypool/clock.js';
import { emptyUsage, type TokenUsage } from '../dialects/token-usage.js';
import type { InterceptionOutcome, InterceptionSink } from '../recorder/interception.js';
import { relayBuffered } from './buffered-relay.js';
import { toGatewayError } from './error-mapping.js';
import type { Exchange } from './exchange.js';
import { isEventStream } from '../sse/event-stream-head.js';
import type { Logger } from '../telemetry/logger.js';
import { sendWithFailover, type AttemptTrace } from '../upstream/failover.js';
import { upstreamRequestHeaders } from '../upstream/header-hygiene.js';
import type { Provider } from '../upstream/provider.js';
import { parseBridgeRequest } from '../dialects/bridge-request.js';
import type { Dialect } from '../dialects/dialect.js';
import { asRecord, stringField } from '../dialects/json-access.js';
import { scanJson, type JsonObjectText } from '../dialects/json-object.js';
import { relayStream } from './stream-relay.js';

export interface BridgeDeps {
  readonly clock: Clock;
  readonly sink: InterceptionSink;
  readonly logger: Logger;
}

/** Both API families put it at `error.message`. */
function upstreamErrorMessage(body: JsonObjectText | undefined): string | undefined {
  return stringField(asRecord(body?.value('error')), 'message');
}

/**
 * One interception, the same for every dialect: parse, call upstream through the failover
 * loop, relay the answer (streamed or whole) and record what happened. The dialect only
 * says how its API's bodies, usage and in-stream errors look.
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
  const trace: AttemptTrace = { keyHint: undefined, attempts: 0 };
  let status = 0;
  let outcome: InterceptionOutcome = 'failed';
  let errorMessage: string | undefined;
  let usage: TokenUsage = emptyUsage();
  try {
    const response = await sendWithFailover(
      provider,
      caller.credential,
      {
        method: 'POST',
        path: upstreamPath,
        headers: {
          ...upstreamRequestHeaders(exchange.req.headers),
          'content-type': 'application/json',
        },
        body: dialect.upstreamBody(request),
        cancellation: exchange.cancellation,
      },
      deps.clock,
      trace,
    );
    status = response.status;
    const ok = status >= 200 && status < 300;
    if (ok && request.stream && isEventStream(response.headers)) {
      const observer = dialect.observeStream(request);
      const result = await relayStream(exchange, response, observer);
      usage = observer.usage;
      outcome = result.outcome;
      errorMessage = result.error;
    } else {
      let answer: JsonObjectText | undefined;
      await relayBuffered(exchange, response, (whole) => {
        const scan = scanJson(whole);
        if (scan.kind === 'object') answer = scan.object;
      });
      if (ok) usage = dialect.usageOf(answer?.value('usage'));
      else errorMessage = upstreamErrorMessage(answer) ?? `upstream answered ${status}`;
      outcome = exchange.clientGone ? 'cancelled' : ok ? 'completed' : 'upstream_error';
    }
  } catch (thrown) {
    if (exchange.clientGone) {
      outcome = 'cancelled';
      errorMessage = 'client disconnected';
    } else {
      const { error, internal } = toGatewayError(thrown);
      if (internal) deps.logger.error({ err: thrown }, 'unexpected error while bridging');
      exchange.sendError(dialect.family, error);
      status = error.status;
      outcome = 'failed';
      errorMessage = error.message;
    }
  } finally {
    const now = deps.clock.now();
    deps.sink.record({
      id: randomUUID(),
      startedAt: exchange.startedAt,
      endedAt: now,
      durationMs: now - exchange.startedAt,
      provider: provider.name,
      dialect: dialect.id,
      model: request.model,
      streaming: request.stream,
      user: caller.user,
      credentialKind: caller.credential.kind,
      keyHint: trace.keyHint,
      attempts: trace.attempts,
      status,
      outcome,
      error: errorMessage,
      usage,
      // Until the flow traces single attempts, tool calls and clients (issue 11): the one
      // call made, without per-attempt detail, and the client as its user agent alone.
      upstreamCalls: trace.attempts === 0 ? [] : [{ iteration: 0, attempts: [], usage }],
      toolCalls: [],
      client: { name: 'other', userAgent: exchange.req.headers['user-agent']?.slice(0, 200) },
    });
  }
}
