import type { ApiFamily } from '../dialects/dialect.js';
import { decodingSink } from '../upstream/decoded-body.js';
import { downstreamResponseHeaders } from '../upstream/header-hygiene.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import { toGatewayError } from './error-mapping.js';
import type { Exchange } from './exchange.js';

/**
 * Bodies up to this size are read whole before the client sees anything, so a connection
 * the upstream drops half-way becomes a clean 502 instead of a truncated JSON document.
 * Larger bodies are streamed through once they cross it.
 */
const WHOLE_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * Relays a non-streaming upstream response (or an error response to a streaming request)
 * with its status, headers and body. `onBody` receives the complete body when it was read
 * whole, for usage extraction, once it has been handed to the client. Rejects before the
 * commit point; after it (a body past the whole-body limit), a broken upstream can only be
 * said by closing the connection.
 */
export function relayBuffered(
  exchange: Exchange,
  family: ApiFamily,
  response: UpstreamResponse,
  onBody?: (body: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let streaming = false;
    let headers: Record<string, string | string[]> = {};
    const { sink, decoded } = decodingSink(response, {
      onData(chunk) {
        if (streaming) {
          exchange.relay(chunk, response.body);
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
        if (size <= WHOLE_BODY_LIMIT) return;
        streaming = true;
        exchange.commit(response.status, headers, undefined);
        for (const held of chunks.splice(0)) exchange.relay(held, response.body);
      },
      onEnd() {
        if (streaming) exchange.end();
        else if (exchange.phase === 'before') {
          const whole =
            chunks.length === 1 && chunks[0] !== undefined
              ? chunks[0]
              : Buffer.concat(chunks, size);
          // A HEAD answer has no body but describes the one GET would get.
          const upstreamLength = response.headers['content-length'];
          exchange.respond(
            response.status,
            exchange.req.method === 'HEAD' && typeof upstreamLength === 'string'
              ? { ...headers, 'content-length': upstreamLength }
              : headers,
            whole,
          );
          // After the answer has gone out: reading usage from it need not delay the client.
          onBody?.(whole);
        }
        resolve();
      },
      onError(error) {
        if (!streaming) {
          reject(error);
          return;
        }
        exchange.fail(family, toGatewayError(error).error);
        resolve();
      },
    });
    headers = downstreamResponseHeaders(response.headers, decoded);
    response.body.pipeTo(sink);
  });
}
