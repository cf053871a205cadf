import type { Caller } from '../auth/caller.js';
import { sendWithFailover, type AttemptTrace } from '../upstream/failover.js';
import { upstreamRequestHeaders } from '../upstream/header-hygiene.js';
import type { Provider } from '../upstream/provider.js';
import { relayBuffered } from './buffered-relay.js';
import type { BridgeDeps } from './bridge.js';
import type { Exchange } from './exchange.js';

/**
 * An allow-listed provider endpoint we do not interpret (model lists, token counting):
 * the caller's credential is swapped for a pool key, with the same failover as bridged calls.
 * Returns the trace for the access log.
 */
export async function passthrough(
  exchange: Exchange,
  provider: Provider,
  upstreamPath: string,
  caller: Caller,
  body: Buffer | undefined,
  deps: Pick<BridgeDeps, 'clock' | 'forwardClientIp'>,
): Promise<AttemptTrace> {
  const trace: AttemptTrace = { keyHint: undefined, attempts: 0 };
  const response = await sendWithFailover(
    provider,
    caller.credential,
    {
      method: exchange.req.method ?? 'GET',
      path: upstreamPath,
      headers: upstreamRequestHeaders(exchange.req.headers, {
        credentialKind: caller.credential.kind,
        forwardClientIp: deps.forwardClientIp,
      }),
      body,
      cancellation: exchange.cancellation,
    },
    deps.clock,
    trace,
  );
  await relayBuffered(exchange, response);
  return trace;
}
