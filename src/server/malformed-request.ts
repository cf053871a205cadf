import type { Duplex } from 'node:stream';
import { errorBody } from './error-shapes.js';
import { GatewayError } from './gateway-error.js';
import type { RouteTable } from './route-table.js';

const REQUEST_LINE = /^[^ \r\n]* ([^ \r\n]+)/;

/**
 * Node's HTTP parser refused the request (bad request line, bad header, header too large),
 * so no handler ran. The client still gets an answer in its API's error shape, guessed from
 * the path in the raw bytes when there is one.
 */
export function answerMalformedRequest(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Duplex,
  routes: RouteTable,
): void {
  if (!socket.writable || socket.destroyed || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const raw = Buffer.isBuffer(error.rawPacket)
    ? error.rawPacket.subarray(0, 2048).toString('latin1')
    : '';
  const path = REQUEST_LINE.exec(raw)?.[1] ?? '/';
  const family = routes.familyFor(path, /\r\nanthropic-version:/i.test(raw));
  const status = tooLarge ? 431 : 400;
  const body = errorBody(
    family,
    new GatewayError(
      status,
      'invalid_request',
      tooLarge ? 'request headers are too large' : 'malformed HTTP request',
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
