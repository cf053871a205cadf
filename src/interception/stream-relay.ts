import type { ApiFamily, StreamObserver } from '../dialects/dialect.js';
import { GatewayError, shuttingDown } from '../errors/gateway-error.js';
import type { InterceptionOutcome } from '../recorder/interception.js';
import { SseFramer } from '../sse/framer.js';
import { decodingSink } from '../upstream/decoded-body.js';
import { downstreamResponseHeaders } from '../upstream/header-hygiene.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import { toGatewayError } from './error-mapping.js';
import type { Exchange } from './exchange.js';

export interface StreamResult {
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
}

/**
 * Forwards an upstream event stream to the client as it arrives, event by event, while the
 * dialect's observer reads a copy. This commits the exchange: nothing here fails over.
 * Whether the stream is complete is the observer's call, from its API's real terminal
 * event; a stream that ends any other way gets the API's own error event, never a silent
 * end that a client would take for a complete answer.
 */
export function relayStream(
  exchange: Exchange,
  response: UpstreamResponse,
  observer: StreamObserver,
  family: ApiFamily,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    const framer = new SseFramer(observer.onEvent);
    let settled = false;
    const finish = (failure: unknown): void => {
      if (settled) return;
      settled = true;
      // A stream that reached its terminal event is complete, even if the client or the
      // connection went away right after.
      if (observer.end === 'completed') {
        exchange.end();
        resolve({ outcome: 'completed', error: undefined });
      } else if (observer.end === 'error') {
        exchange.end();
        resolve({ outcome: 'upstream_error', error: observer.errorMessage });
      } else if (exchange.clientGone) {
        resolve({ outcome: 'cancelled', error: 'client disconnected' });
      } else if (exchange.shuttingDown) {
        const error = shuttingDown();
        exchange.fail(family, error);
        resolve({ outcome: 'shutdown', error: error.message });
      } else {
        const error =
          failure === undefined
            ? new GatewayError(502, 'api_error', 'the upstream stream ended before it was complete')
            : toGatewayError(failure).error;
        exchange.fail(family, error);
        resolve({ outcome: 'failed', error: error.message });
      }
    };
    const { sink, decoded } = decodingSink(response, {
      onData(chunk) {
        if (settled) return;
        try {
          exchange.relay(framer.push(chunk), response.body);
        } catch (error) {
          // An event past the size limit: the stream cannot be relayed any further. Said
          // first, since aborting reports an error of its own.
          finish(error);
          response.body.abort('the stream could not be relayed');
        }
      },
      onEnd() {
        finish(undefined);
      },
      onError(error) {
        finish(error);
      },
    });
    exchange.commitEventStream(
      response.status,
      downstreamResponseHeaders(response.headers, decoded),
      (error) => observer.errorEvent(error),
    );
    response.body.pipeTo(sink);
  });
}
