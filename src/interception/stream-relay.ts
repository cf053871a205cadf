import type { InterceptionOutcome } from '../recorder/interception.js';
import type { Exchange } from './exchange.js';
import { toGatewayError } from './error-mapping.js';
import { GatewayError } from '../errors/gateway-error.js';
import { startEventStream } from '../sse/event-stream-head.js';
import { SseFramer } from '../sse/framer.js';
import { decodingSink } from '../upstream/decoded-body.js';
import { downstreamResponseHeaders } from '../upstream/header-hygiene.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { StreamObserver } from '../dialects/dialect.js';

export interface StreamResult {
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
}

/**
 * Forwards an upstream event stream to the client as it arrives, event by event, while the
 * dialect's observer reads a copy. This is past the commit point: nothing here fails over.
 * Whatever goes wrong ends the stream with the API's own error event, never with a silent
 * end that a client would take for a complete answer.
 */
export function relayStream(
  exchange: Exchange,
  response: UpstreamResponse,
  observer: StreamObserver,
): Promise<StreamResult> {
  return new Promise((resolve) => {
    const { res } = exchange;
    const framer = new SseFramer(observer.onEvent);
    const finish = (failure: unknown): void => {
      if (exchange.clientGone) {
        resolve({ outcome: 'cancelled', error: 'client disconnected' });
        return;
      }
      if (observer.end === 'completed') {
        res.end();
        resolve({ outcome: 'completed', error: undefined });
        return;
      }
      if (observer.end === 'error') {
        res.end();
        resolve({ outcome: 'upstream_error', error: observer.errorMessage });
        return;
      }
      const error =
        failure === undefined
          ? new GatewayError(502, 'api_error', 'the upstream stream ended before it was complete')
          : toGatewayError(failure).error;
      res.end(observer.errorEvent(error));
      resolve({ outcome: 'failed', error: error.message });
    };
    let failed = false;
    const { sink, decoded } = decodingSink(response, {
      onData(chunk) {
        if (failed) return;
        try {
          exchange.relay(framer.push(chunk), response.body);
        } catch (error) {
          // An event past the size limit: the stream cannot be relayed any further.
          failed = true;
          response.body.abort('the stream could not be relayed');
          finish(error);
        }
      },
      onEnd() {
        if (!failed) finish(undefined);
      },
      onError(error) {
        if (!failed) finish(error);
      },
    });
    startEventStream(res, response.status, downstreamResponseHeaders(response.headers, decoded));
    response.body.pipeTo(sink);
  });
}
