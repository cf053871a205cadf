import type { Caller } from '../auth/caller.js';
import { parseBridgeRequest } from '../dialects/bridge-request.js';
import type { Dialect } from '../dialects/dialect.js';
import { scanJson, type JsonObjectText } from '../dialects/json-object.js';
import { emptyUsage, type TokenUsage } from '../dialects/token-usage.js';
import type { Clock } from '../keypool/clock.js';
import type { InterceptionOutcome, InterceptionSink } from '../recorder/interception.js';
import { isEventStream } from '../sse/event-stream-head.js';
import type { Logger } from '../telemetry/logger.js';
import { sendWithFailover } from '../upstream/failover.js';
import { upstreamRequestHeaders } from '../upstream/header-hygiene.js';
import type { Provider } from '../upstream/provider.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';
import { errorMessageOf } from '../upstream/upstream-error-message.js';
import { relayBuffered } from './buffered-relay.js';
import { failureOutcome } from './failure-outcome.js';
import type { Exchange } from './exchange.js';
import { relayStream } from './stream-relay.js';

export interface BridgeDeps {
  readonly clock: Clock;
  readonly sink: InterceptionSink;
  readonly logger: Logger;
  /** `forward_client_ip`: whether the client's address headers reach the provider. */
  readonly forwardClientIp: boolean;
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
  const attempts: UpstreamAttempt[] = [];
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
          ...upstreamRequestHeaders(exchange.req.headers, {
            credentialKind: caller.credential.kind,
            forwardClientIp: deps.forwardClientIp,
          }),
          'content-type': 'application/json',
        },
        body: dialect.upstreamBody(request),
        cancellation: exchange.cancellation,
      },
      deps.clock,
      attempts,
    );
    status = response.status;
    const ok = status >= 200 && status < 300;
    if (ok && request.stream && isEventStream(response.headers)) {
      const observer = dialect.observeStream(request);
      const result = await relayStream(exchange, response, observer, dialect.family);
      usage = observer.usage;
      outcome = result.outcome;
      errorMessage = result.error;
    } else {
      let answer: JsonObjectText | undefined;
      let whole: Buffer | undefined;
      await relayBuffered(exchange, dialect.family, response, (bytes) => {
        whole = bytes;
        if (!ok) return;
        const scan = scanJson(bytes);
        if (scan.kind === 'object') answer = scan.object;
      });
      if (ok) usage = dialect.usageOf(answer?.value('usage'));
      else
        errorMessage =
          (whole === undefined ? undefined : errorMessageOf(whole)) ??
          `upstream answered ${status}`;
      outcome = exchange.clientGone ? 'cancelled' : ok ? 'completed' : 'upstream_error';
    }
  } catch (thrown) {
    const failure = failureOutcome(exchange, dialect.family, thrown, deps.logger);
    if (failure.status !== undefined) status = failure.status;
    outcome = failure.outcome;
    errorMessage = failure.error;
  } finally {
    const now = deps.clock.now();
    deps.sink.record({
      id: exchange.id,
      startedAt: exchange.startedAt,
      durationMs: now - exchange.startedAt,
      provider: provider.name,
      dialect: dialect.id,
      model: request.model,
      streaming: request.stream,
      user: caller.user,
      credentialKind: caller.credential.kind,
      keyHint: attempts.at(-1)?.keyHint,
      attempts: attempts.length,
      upstreamCalls: [{ iteration: 0, attempts, usage }],
      status,
      outcome,
      error: errorMessage,
      usage,
    });
  }
}
