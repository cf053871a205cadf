import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { errorBody } from '../dialects/error-shapes.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { RouteTable } from './route-table.js';
import { REQUEST_ID_HEADER } from '../interception/exchange.js';
import type { Logger } from '../log/logger.js';

type Failure = readonly [status: number, reason: string, message: string];

const DEFAULT_FAILURE: Failure = [400, 'Bad Request', 'malformed HTTP request'];
const FAILURES: Readonly<Record<string, Failure>> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'the request was not received in time'],
};

const REQUEST_LINE = /^[^ \r\n]* ([^ \r\n]+)/;

/**
 * A bad request pipelined behind one whose answer has started: an error written now would
 * land in the middle of that answer. Node keeps the socket's current response here.
 */
function responseInProgress(socket: Duplex): boolean {
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return current?.headersSent === true;
}

/**
 * Node's HTTP parser refused the request (bad request line, bad header, header too large),
 * so no handler ran. The client still gets an answer in its API's error shape, guessed from
 * the path in the raw bytes when there is one.
 */
export function answerMalformedRequest(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Duplex,
  routes: RouteTable,
  logger: Logger,
): void {
  if (
    !socket.writable ||
    socket.destroyed ||
    error.code === 'ECONNRESET' ||
    responseInProgress(socket)
  ) {
    socket.destroy();
    return;
  }
  const [status, reason, message] = FAILURES[error.code ?? ''] ?? DEFAULT_FAILURE;
  const raw = Buffer.isBuffer(error.rawPacket)
    ? error.rawPacket.subarray(0, 2048).toString('latin1')
    : '';
  const path = REQUEST_LINE.exec(raw)?.[1] ?? '/';
  const family = routes.familyFor(path, /\r\nanthropic-version:/i.test(raw));
  const body = errorBody(family, new GatewayError(status, 'invalid_request', message));
  const id = randomUUID();
  logger.info(
    {
      id,
      status,
      code: error.code,
      path: path.slice(0, 200),
      client: (socket as Duplex & { remoteAddress?: string }).remoteAddress,
      user_agent: /\r\nuser-agent:[ \t]*([^\r\n]{0,200})/i.exec(raw)?.[1],
    },
    'rejected a malformed request',
  );
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${id}\r\nconnection: close\r\n\r\n${body}`,
  );
}
