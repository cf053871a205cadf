import type { InterceptionOutcome } from '../recorder/interception.js';
import type { Exchange } from '../server/exchange.js';
import { toGatewayError } from '../server/error-mapping.js';
import { GatewayError } from '../server/gateway-error.js';
import { SseFramer } from '../sse/framer.js';
import { bodyChunks } from '../upstream/body-chunks.js';
import { decodedBody } from '../upstream/decoded-body.js';
import { downstreamResponseHeaders } from '../upstream/header-hygiene.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { StreamObserver } from './dialect.js';

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
export async function relayStream(
  exchange: Exchange,
  response: UpstreamResponse,
  observer: StreamObserver,
): Promise<StreamResult> {
  const { body, decoded } = decodedBody(response);
  const { res } = exchange;
  res.writeHead(response.status, downstreamResponseHeaders(response.headers, decoded));
  res.flushHeaders();
  const framer = new SseFramer(observer.onEvent);
  let failure: unknown;
  try {
    for await (const chunk of bodyChunks(body)) {
      await exchange.write(framer.push(chunk));
    }
  } catch (error) {
    failure = error;
  }
  if (exchange.clientGone) {
    body.destroy();
    return { outcome: 'cancelled', error: 'client disconnected' };
  }
  if (observer.end === 'completed') {
    res.end();
    return { outcome: 'completed', error: undefined };
  }
  if (observer.end === 'error') {
    res.end();
    return { outcome: 'upstream_error', error: observer.errorMessage };
  }
  const error =
    failure === undefined
      ? new GatewayError(502, 'api_error', 'the upstream stream ended before it was complete')
      : toGatewayError(failure).error;
  res.end(observer.errorEvent(error));
  return { outcome: 'failed', error: error.message };
}
