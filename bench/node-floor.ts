/**
 * The Node floor: the cheapest correct HTTP proxy on Node, to measure what any Node gateway
 * must pay. A node:http server forwards each request to one upstream origin with undici —
 * headers passed (hop-by-hop ones dropped), body streamed both ways, nothing parsed, no auth,
 * no keys. Usage: node node-floor.js UPSTREAM_ORIGIN [port]
 */
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:9000');
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
]);

function requestHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function responseHeaders(headers: Dispatcher.ResponseData['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

const server = createServer(
  { keepAliveTimeout: 65_000, requestTimeout: 0, noDelay: true },
  (req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const method = req.method ?? 'GET';
    agent
      .stream(
        {
          origin: upstream.origin,
          path: req.url ?? '/',
          method,
          headers: requestHeaders(req.headers),
          body: method === 'GET' || method === 'HEAD' ? null : req,
          signal: abort.signal,
        },
        ({ statusCode, headers }) => {
          res.writeHead(statusCode, responseHeaders(headers));
          return res;
        },
      )
      .catch(() => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{}');
        else res.destroy();
      });
  },
);
server.listen({ port: Number(process.argv[3] ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  const { port } = server.address() as AddressInfo;
  if (process.send === undefined) process.stdout.write(`node floor listening on ${port}\n`);
  else process.send({ listening: port });
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  void agent.close();
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
