import { SseFramer, type SseEventHandler } from '../sse/framer.js';
import { decodingSink } from '../upstream/decoded-body.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { Exchange } from './exchange.js';

/**
 * Forwards one upstream event stream to the client event by event, as the handler says
 * (untouched, rewritten, held back), with backpressure. `beforeFirstWrite` runs once, just
 * before the first bytes go out: where a caller commits lazily. Resolves when the upstream
 * body ends: with undefined for a clean end, or with what broke it. Never rejects once
 * started; throws at once for a body that cannot be decoded at all.
 */
export function pumpEvents(
  exchange: Exchange,
  response: UpstreamResponse,
  onEvent: SseEventHandler,
  beforeFirstWrite: () => void,
): Promise<unknown> {
  return new Promise((resolve) => {
    const framer = new SseFramer(onEvent);
    let writing = false;
    let settled = false;
    const settle = (failure: unknown): void => {
      if (settled) return;
      settled = true;
      resolve(failure);
    };
    const { sink } = decodingSink(response, {
      onData(chunk) {
        if (settled) return;
        let bytes: Buffer;
        try {
          bytes = framer.push(chunk);
        } catch (error) {
          // An event past the size limit: the stream cannot be relayed any further. Said
          // first, since aborting reports an error of its own.
          settle(error);
          response.body.abort('the stream could not be relayed');
          return;
        }
        if (bytes.length === 0) return;
        if (!writing) {
          writing = true;
          beforeFirstWrite();
        }
        exchange.relay(bytes, response.body);
      },
      onEnd() {
        settle(undefined);
      },
      onError(error) {
        settle(error);
      },
    });
    response.body.pipeTo(sink);
  });
}
