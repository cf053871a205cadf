/**
 * The scripted provider, run as its own process: answers Anthropic Messages, OpenAI Chat
 * Completions and OpenAI Responses in their real shapes, as fast as it can. Streaming answers
 * follow the plan in the model name; every text delta carries its send time. Keys starting
 * with `rl-` are rate-limited. Usage: node mock-upstream.js [port]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { anthropicError, anthropicMessage } from '../test/support/anthropic-fixtures.js';
import { chatCompletion, openaiError, responseObject } from '../test/support/openai-fixtures.js';
import { DIALECT_SPECS, dialectOfPath, type DialectId } from './dialects.js';
import {
  RATE_LIMITED_PREFIX,
  RATE_LIMITING_PATH,
  STATS_PATH,
  type MockStats,
} from './mock-protocol.js';
import { planFromModel, stampText, type StreamPlan } from './stream-plan.js';
import { streamShape } from './stream-shapes.js';
import { wallNow } from './wall-clock.js';

const ANSWER =
  'The server already knows its port after listen(), so the getter can read it from ' +
  'address(). I added a private `port` field that listen() sets, and a `url` getter that ' +
  'throws a clear error when called before listen() and otherwise returns ' +
  'http://127.0.0.1:PORT. The style follows the rest of the file: a one-line doc comment, ' +
  'no default exports, and the error message names the method to call first. I ran the ' +
  'type checker and the support tests; both pass. Nothing else in the repository uses the ' +
  'class yet, so no call sites needed to change.';

const JSON_ANSWERS: Readonly<Record<DialectId, Buffer>> = {
  messages: Buffer.from(JSON.stringify(anthropicMessage(ANSWER))),
  chat: Buffer.from(JSON.stringify(chatCompletion(ANSWER))),
  responses: Buffer.from(JSON.stringify(responseObject(ANSWER))),
};

const stats = {
  requests: {} as Record<string, number>,
  byKey: {} as Record<string, number>,
  rateLimited: 0,
  streamsStarted: 0,
  streamsOpen: 0,
  streamsAborted: 0,
};

let requestCounter = 0;
let rateLimiting = true;

function idHeaders(dialect: DialectId | undefined): Record<string, string> {
  const id = `req_bench${(++requestCounter).toString(36)}`;
  return dialect === 'messages'
    ? { 'request-id': id }
    : { 'x-request-id': id, 'openai-processing-ms': '1' };
}

function credential(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
  return bearer?.[1];
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  headers: Record<string, string>,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, dialect: DialectId, status: number, message: string): void {
  const extra: Record<string, string> = status === 429 ? { 'retry-after': '3600' } : {};
  const body =
    DIALECT_SPECS[dialect].family === 'anthropic'
      ? anthropicError(status === 429 ? 'rate_limit_error' : 'invalid_request_error', message)
      : openaiError(status, message);
  sendJson(res, status, JSON.stringify(body), { ...idHeaders(dialect), ...extra });
}

function stream(
  res: ServerResponse,
  dialect: DialectId,
  plan: StreamPlan,
  includeUsage: boolean,
): void {
  const shape = streamShape(dialect, plan.events, includeUsage);
  stats.streamsStarted++;
  stats.streamsOpen++;
  let sent = 0;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const start = performance.now();
  const next = (): void => {
    res.write(shape.delta(stampText(wallNow())));
    sent++;
    if (sent === plan.events) {
      finished = true;
      res.end(shape.tail().join(''));
      return;
    }
    // Scheduled against the start, so timer lateness does not accumulate.
    const due = start + (sent + 1) * plan.intervalMs;
    timer = setTimeout(next, Math.max(0, due - performance.now()));
  };
  res.on('close', () => {
    stats.streamsOpen--;
    if (!finished) {
      stats.streamsAborted++;
      clearTimeout(timer);
    }
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...idHeaders(dialect),
  });
  res.write(shape.prelude().join(''));
  timer = setTimeout(next, plan.intervalMs);
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'GET' && path === STATS_PATH) {
    const snapshot: MockStats = stats;
    sendJson(res, 200, JSON.stringify(snapshot), {});
    return;
  }
  if (req.method === 'POST' && path === RATE_LIMITING_PATH) {
    rateLimiting = body.toString() === 'on';
    sendJson(res, 200, JSON.stringify({ rateLimiting }), {});
    return;
  }
  const dialect = dialectOfPath(path);
  if (dialect === undefined || req.method !== 'POST') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found"}}');
    return;
  }
  stats.requests[path] = (stats.requests[path] ?? 0) + 1;
  const key = credential(req);
  if (key === undefined) {
    sendError(res, dialect, 401, 'missing API key');
    return;
  }
  stats.byKey[key] = (stats.byKey[key] ?? 0) + 1;
  if (rateLimiting && key.startsWith(RATE_LIMITED_PREFIX)) {
    stats.rateLimited++;
    sendError(res, dialect, 429, 'rate limited (bench: this key is always rate-limited)');
    return;
  }
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    sendError(res, dialect, 400, 'body is not JSON');
    return;
  }
  if (request['stream'] === true) {
    const plan = planFromModel(request['model']) ?? { events: 100, intervalMs: 10 };
    const options = request['stream_options'];
    const includeUsage =
      typeof options === 'object' &&
      options !== null &&
      (options as Record<string, unknown>)['include_usage'] === true;
    stream(res, dialect, plan, includeUsage);
    return;
  }
  sendJson(res, 200, JSON_ANSWERS[dialect], idHeaders(dialect));
}

const server = createServer(
  { keepAliveTimeout: 120_000, requestTimeout: 0, noDelay: true },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      answer(
        req,
        res,
        chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks),
      );
    });
  },
);
server.listen({ port: Number(process.argv[2] ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  const { port } = server.address() as AddressInfo;
  if (process.send === undefined) process.stdout.write(`mock upstream listening on ${port}\n`);
  else process.send({ listening: port });
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
// The runner is gone (crashed or killed): do not outlive it.
process.on('disconnect', stop);
