import type { BreakerPass, Verdict } from '../breaker/circuit-breaker.js';
import type { ProviderBreakers } from '../breaker/provider-breakers.js';
import { GatewayError } from '../errors/gateway-error.js';
import { UpstreamTransportError } from '../upstream/upstream-error.js';
import type { Ending } from './failure-outcome.js';

/**
 * Answers that say the provider itself is in trouble: 529 is Anthropic's "overloaded", 504
 * a timeout said by the provider's own front end. Other 5xx (501 and the like) are about
 * the request and count for nothing.
 */
const TROUBLE_STATUSES = new Set([500, 502, 503, 504, 529]);

/**
 * Before an upstream call of a bridged request: lets it through the provider's breaker for
 * this API and model, or throws the 503 (with Retry-After) the client gets instead, without
 * any call upstream. Undefined when the provider has no breaker.
 */
export function passBreaker(
  breakers: ProviderBreakers | undefined,
  api: string,
  model: string,
): BreakerPass | undefined {
  if (breakers === undefined) return undefined;
  const admission = breakers.admit(api, model);
  if (admission.admitted) return admission.pass;
  const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
  throw new GatewayError(
    503,
    'unavailable',
    admission.state === 'open'
      ? `the ${breakers.provider} provider failed repeatedly for this model, so the gateway is not calling it for now (circuit breaker open); retry in ${seconds}s`
      : `the ${breakers.provider} provider is being tested with a few requests after repeated failures (circuit breaker half-open); retry in ${seconds}s`,
    { 'retry-after': String(seconds) },
  );
}

/**
 * What one upstream call (its answer relayed or read to the end) says about the provider,
 * from how it ended and from what was thrown, if anything. 429s say nothing: per-key
 * cooldowns handle them, and counting them would trip the breaker on a healthy provider.
 */
export function verdictOf(
  ending: Ending,
  thrown: unknown,
): { verdict: Verdict; cause: string | undefined } {
  if (thrown !== undefined) {
    // A provider that cannot be reached, resets the connection or stays silent; not a
    // call the client or the gateway's shutdown cancelled, nor an exhausted key pool.
    return thrown instanceof UpstreamTransportError && thrown.failure !== 'aborted'
      ? { verdict: 'failure', cause: `${thrown.failure}: ${thrown.message}` }
      : { verdict: 'neutral', cause: undefined };
  }
  if (ending.outcome === 'cancelled' || ending.outcome === 'shutdown') {
    return { verdict: 'neutral', cause: undefined };
  }
  const { status } = ending;
  if (status !== undefined && TROUBLE_STATUSES.has(status)) {
    return { verdict: 'failure', cause: `upstream answered ${status}` };
  }
  if (status === 429 || (status !== undefined && status >= 500)) {
    return { verdict: 'neutral', cause: undefined };
  }
  // The answer started well, then broke: a stream cut off or ended without its terminal
  // event ('failed'), or an error event in place of the rest of it.
  if (ending.outcome === 'failed') {
    return { verdict: 'failure', cause: 'the stream broke after it started' };
  }
  if (ending.outcome === 'upstream_error' && status !== undefined && status < 300) {
    return { verdict: 'failure', cause: 'an error event in the stream' };
  }
  return { verdict: 'success', cause: undefined };
}

/** Records an upstream call's result on its pass, if it had one. */
export function recordVerdict(
  pass: BreakerPass | undefined,
  ending: Ending,
  thrown: unknown,
): void {
  if (pass === undefined) return;
  const { verdict, cause } = verdictOf(ending, thrown);
  pass.record(verdict, cause);
}
