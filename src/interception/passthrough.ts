import type { Caller } from '../auth/caller.js';
import type { ApiFamily, Dialect } from '../dialects/dialect.js';
import type { InterceptionOutcome } from '../recorder/interception.js';
import { isEventStream } from '../sse/event-stream-head.js';
import { sendWithFailover } from '../upstream/failover.js';
import { upstreamRequestHeaders } from '../upstream/header-hygiene.js';
import type { Provider } from '../upstream/provider.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';
import type { BridgeDeps } from './bridge-deps.js';
import { relayBuffered } from './buffered-relay.js';
import type { Exchange } from './exchange.js';
import { failureOutcome } from './failure-outcome.js';
import { relayStream } from './stream-relay.js';

export interface PassthroughRoute {
  readonly provider: Provider;
  readonly family: ApiFamily;
  readonly upstreamPath: string;
  /** The API whose events a streamed answer of this route carries (a stored response replayed). */
  readonly streamDialect: Dialect | undefined;
}

/**
 * An allow-listed provider endpoint we do not interpret (model lists, token counting,
 * stored responses): the caller's credential is swapped for a pool key, with the same
 * failover as bridged calls. Logged, not recorded: nobody is billed for it.
 */
export async function passthrough(
  exchange: Exchange,
  route: PassthroughRoute,
  caller: Caller,
  body: Buffer | undefined,
  deps: BridgeDeps,
): Promise<void> {
  const attempts: UpstreamAttempt[] = [];
  let outcome: InterceptionOutcome = 'completed';
  let error: string | undefined;
  const watch = deps.observer?.start({
    id: exchange.id,
    kind: 'passthrough',
    provider: route.provider.name,
    dialect: undefined,
    model: undefined,
    streaming: false,
    user: caller.user,
    credentialKind: caller.credential.kind,
    method: exchange.req.method ?? 'GET',
    upstreamPath: route.upstreamPath,
    headers: exchange.req.headers,
    body,
    startedAt: exchange.startedAt,
  });
  if (watch !== undefined) {
    exchange.onCommit = () => {
      watch.committed?.(deps.clock.now());
    };
  }
  try {
    const response = await sendWithFailover(
      route.provider,
      caller.credential,
      {
        method: exchange.req.method ?? 'GET',
        path: route.upstreamPath,
        headers: upstreamRequestHeaders(exchange.req.headers, {
          credentialKind: caller.credential.kind,
          forwardClientIp: deps.forwardClientIp,
        }),
        body,
        cancellation: exchange.cancellation,
        watch,
      },
      deps.clock,
      attempts,
    );
    if (route.streamDialect !== undefined && isEventStream(response.headers)) {
      const result = await relayStream(
        exchange,
        response,
        route.streamDialect.observeStream(undefined),
        route.family,
      );
      outcome = result.outcome;
      error = result.error;
    } else {
      await relayBuffered(exchange, route.family, response);
      if (exchange.clientGone) outcome = 'cancelled';
      else if (response.status >= 400) outcome = 'upstream_error';
    }
  } catch (thrown) {
    const failure = failureOutcome(exchange, route.family, thrown, deps.logger);
    outcome = failure.outcome;
    error = failure.error;
  }
  watch?.end?.({
    outcome,
    status: exchange.res.statusCode,
    error,
    attempts,
    record: undefined,
    endedAt: deps.clock.now(),
  });
  deps.logger.info(
    {
      id: exchange.id,
      provider: route.provider.name,
      method: exchange.req.method,
      path: route.upstreamPath.slice(0, 200),
      user: caller.user,
      status: exchange.res.statusCode,
      outcome,
      error,
      attempts,
    },
    'passthrough',
  );
}
