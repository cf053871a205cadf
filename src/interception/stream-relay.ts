import type { ApiFamily, StreamObserver } from '../dialects/dialect.js';
import { GatewayError, shuttingDown } from '../errors/gateway-error.js';
import type { InterceptionOutcome } from '../recorder/interception.js';
import { decodedHeaders } from '../upstream/decoded-body.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import { toGatewayError } from './error-mapping.js';
import { pumpEvents } from './event-pump.js';
import type { Exchange } from './exchange.js';

export interface StreamResult {
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
}

/**
 * How a stream that stopped ends for the client and the record. Whether it is complete is
 * the observer's call, from its API's real terminal event; a stream that ended any other
 * way gets the API's own error event (once committed), never a silent end that a client
 * would take for a complete answer.
 */
export function endStream(
  exchange: Exchange,
  family: ApiFamily,
  observer: Pick<StreamObserver, 'end' | 'errorMessage'>,
  failure: unknown,
): StreamResult {
  // A stream that reached its terminal event is complete, even if the client or the
  // connection went away right after.
  if (observer.end === 'completed') {
    exchange.end();
    return { outcome: 'completed', error: undefined };
  }
  if (observer.end === 'error') {
    exchange.end();
    return { outcome: 'upstream_error', error: observer.errorMessage };
  }
  if (exchange.clientGone) return { outcome: 'cancelled', error: 'client disconnected' };
  if (exchange.shuttingDown) {
    const error = shuttingDown();
    exchange.fail(family, error);
    return { outcome: 'shutdown', error: error.message };
  }
  const error =
    failure === undefined
      ? new GatewayError(502, 'api_error', 'the upstream stream ended before it was complete')
      : toGatewayError(failure).error;
  exchange.fail(family, error);
  return { outcome: 'failed', error: error.message };
}

/**
 * Forwards an upstream event stream to the client as it arrives, event by event, while the
 * dialect's observer reads a copy. This commits the exchange: nothing here fails over.
 */
export async function relayStream(
  exchange: Exchange,
  response: UpstreamResponse,
  observer: StreamObserver,
  family: ApiFamily,
): Promise<StreamResult> {
  exchange.commitEventStream(response.status, decodedHeaders(response), (error) =>
    observer.errorEvent(error),
  );
  const failure = await pumpEvents(exchange, response, observer.onEvent, () => undefined);
  return endStream(exchange, family, observer, failure);
}
