import type { BreakerEvent } from './provider-breakers.js';
import type { Logger } from '../log/logger.js';

/** The one log line per circuit breaker state change. */
export function logBreakerTransition(logger: Logger, event: BreakerEvent): void {
  const fields = {
    provider: event.provider,
    api: event.api,
    model: event.model.slice(0, 200),
    from: event.from,
    to: event.to,
  };
  switch (event.to) {
    case 'open':
      logger.warn(
        { ...fields, failures: event.failures, cause: event.cause, open_for_ms: event.openForMs },
        event.from === 'half-open'
          ? `circuit breaker reopened: a trial request failed (${event.cause ?? 'failure'})`
          : `circuit breaker opened after ${event.failures} consecutive failures (last: ${event.cause ?? 'failure'}): requests are refused with 503`,
      );
      return;
    case 'half-open':
      logger.info(fields, 'circuit breaker half-open: letting trial requests through');
      return;
    case 'closed':
      logger.info(fields, 'circuit breaker closed: the trial requests succeeded');
      return;
  }
}
