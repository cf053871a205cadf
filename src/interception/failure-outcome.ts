import type { ApiFamily } from '../dialects/dialect.js';
import { shuttingDown } from '../errors/gateway-error.js';
import type { InterceptionOutcome } from '../recorder/interception.js';
import type { Logger } from '../log/logger.js';
import { toGatewayError } from './error-mapping.js';
import type { Exchange } from './exchange.js';

/** How an interception ended, for the record: well or not. */
export interface Ending {
  readonly outcome: InterceptionOutcome;
  /** The status the client got, when it got one. */
  readonly status: number | undefined;
  readonly error: string | undefined;
}

/**
 * Anything thrown while an interception ran, said to the client the way the exchange's
 * phase still allows, and named for the record: the client left, the gateway is shutting
 * down, or the gateway failed the request (exhausted pool, unreachable provider…).
 */
export function failureOutcome(
  exchange: Exchange,
  family: ApiFamily,
  thrown: unknown,
  logger: Logger,
): Ending {
  if (exchange.clientGone) {
    return { outcome: 'cancelled', status: undefined, error: 'client disconnected' };
  }
  if (exchange.shuttingDown) {
    const error = shuttingDown();
    exchange.fail(family, error);
    return { outcome: 'shutdown', status: error.status, error: error.message };
  }
  const { error, internal } = toGatewayError(thrown);
  if (internal)
    logger.error({ err: thrown, id: exchange.id }, 'unexpected error in an interception');
  exchange.fail(family, error);
  return { outcome: 'failed', status: error.status, error: error.message };
}
