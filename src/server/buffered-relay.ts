import { bodyChunks } from '../upstream/body-chunks.js';
import { decodedBody } from '../upstream/decoded-body.js';
import { downstreamResponseHeaders } from '../upstream/header-hygiene.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
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
 * whole, for usage extraction. Throws before the commit point; after it, a broken upstream
 * can only be signalled by closing the client connection.
 */
export async function relayBuffered(
  exchange: Exchange,
  response: UpstreamResponse,
  onBody?: (body: Buffer) => void,
): Promise<void> {
  const { body, decoded } = decodedBody(response);
  const headers = downstreamResponseHeaders(response.headers, decoded);
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = bodyChunks(body);
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    chunks.push(next.value);
    size += next.value.length;
    if (size > WHOLE_BODY_LIMIT) {
      await streamRest(exchange, response.status, headers, chunks, iterator);
      return;
    }
  }
  const whole =
    chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
  onBody?.(whole);
  if (exchange.clientGone) return;
  exchange.res.writeHead(response.status, { ...headers, 'content-length': whole.length });
  exchange.res.end(whole);
}

async function streamRest(
  exchange: Exchange,
  status: number,
  headers: Record<string, string | string[]>,
  head: Buffer[],
  rest: AsyncIterator<Buffer>,
): Promise<void> {
  exchange.res.writeHead(status, headers);
  try {
    for (const chunk of head) await exchange.write(chunk);
    for (;;) {
      const next = await rest.next();
      if (next.done === true) break;
      await exchange.write(next.value);
    }
    exchange.res.end();
  } catch {
    exchange.res.destroy();
  }
}
