import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The credential the gateway sent: x-api-key, else the bearer token. */
  readonly key: string | undefined;
}

export type MockReply =
  | {
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: unknown;
    }
  | {
      readonly sse: readonly string[];
      readonly status?: number;
      readonly headers?: Record<string, string>;
      readonly delayMs?: number;
      /** What happens after the events: a clean end (default), a dropped connection, or silence. */
      readonly then?: 'end' | 'drop' | 'stall';
    }
  | ((request: SeenRequest, res: ServerResponse) => void | Promise<void>);

export type Script = (request: SeenRequest) => MockReply;

function credential(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  return /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A scripted provider on a real socket. Every request is recorded; the script decides the
 * answer from the request (usually from the key the gateway chose).
 */
export class MockUpstream {
  readonly requests: SeenRequest[] = [];
  /** TCP connections accepted so far, to check that the gateway reuses them. */
  connections = 0;
  script: Script = () => ({ status: 500, body: { error: 'no script' } });
  private readonly sockets = new Set<Socket>();

  private readonly server: Server;
  url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const seen: SeenRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          key: credential(req.headers),
        };
        this.requests.push(seen);
        void this.reply(seen, res);
      });
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // A stalled reply would otherwise keep its socket half-open after the gateway hung up.
      socket.on('end', () => socket.destroy());
    });
  }

  static async start(): Promise<MockUpstream> {
    const mock = new MockUpstream();
    await new Promise<void>((resolve) => mock.server.listen(0, '127.0.0.1', resolve));
    const { port } = mock.server.address() as AddressInfo;
    mock.url = `http://127.0.0.1:${port}/`;
    return mock;
  }

  /** Keys in the order the upstream saw them. */
  get keysSeen(): (string | undefined)[] {
    return this.requests.map((r) => r.key);
  }

  reset(script?: Script): void {
    this.requests.length = 0;
    if (script !== undefined) this.script = script;
  }

  /** How long an idle keep-alive connection stays open (Node's default is 5 s). */
  set keepAliveTimeoutMs(ms: number) {
    this.server.keepAliveTimeout = ms;
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  private async reply(request: SeenRequest, res: ServerResponse): Promise<void> {
    const reply = this.script(request);
    try {
      if (typeof reply === 'function') {
        await reply(request, res);
        return;
      }
      if ('sse' in reply) {
        res.writeHead(reply.status ?? 200, {
          'content-type': 'text/event-stream',
          ...reply.headers,
        });
        res.flushHeaders();
        for (const event of reply.sse) {
          if (reply.delayMs !== undefined) await sleep(reply.delayMs);
          if (res.destroyed) return;
          res.write(event);
        }
        if (reply.then === 'drop') {
          // Let the events leave the socket first: a destroy discards what is still buffered.
          await sleep(20);
          res.socket?.destroy();
        } else if (reply.then !== 'stall') res.end();
        return;
      }
      const body =
        reply.body === undefined
          ? ''
          : typeof reply.body === 'string'
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    } catch {
      res.destroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
