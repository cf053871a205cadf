import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { DEFAULT_TOOLS, ScriptedTools, type ScriptedToolSpec } from './mcp-scripted-tools.js';

export interface TestMcpHttpOptions {
  readonly tools?: readonly ScriptedToolSpec[];
  /** Answer 401 unless every one of these headers is sent with this value. */
  readonly requireHeaders?: Readonly<Record<string, string>>;
  /** Defaults to a free one; `restart` reuses the port either way. */
  readonly port?: number;
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * A Streamable HTTP MCP server on a loopback port, built on the SDK's server transport, one
 * session per client as the SDK intends. It can be stopped (every connection cut, as a
 * crash would) and restarted on the same port with the same tools and fresh sessions.
 */
export class TestMcpHttpServer {
  readonly tools: ScriptedTools;
  private server: Server | undefined;
  private readonly sessions = new Map<string, StreamableHTTPServerTransport>();
  private listenPort: number;
  /** Request headers, per request, for asserting what the gateway sent. */
  readonly seenHeaders: IncomingMessage['headers'][] = [];

  private constructor(private readonly options: TestMcpHttpOptions) {
    this.tools = new ScriptedTools(options.tools ?? DEFAULT_TOOLS, () => {
      void this.stop();
    });
    this.listenPort = options.port ?? 0;
  }

  static async start(options: TestMcpHttpOptions = {}): Promise<TestMcpHttpServer> {
    const server = new TestMcpHttpServer(options);
    await server.listen();
    return server;
  }

  get port(): number {
    return this.listenPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.listenPort}/mcp`;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Cuts every connection and stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const transports = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(transports.map((t) => t.close()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }

  /** Listens again on the same port: sessions of before are unknown to it. */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, 'test server failed');
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        resolve();
      });
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.seenHeaders.push(req.headers);
    if (!req.url?.startsWith('/mcp')) {
      reply(res, 404, 'not found');
      return;
    }
    for (const [name, value] of Object.entries(this.options.requireHeaders ?? {})) {
      const sent = req.headers[name.toLowerCase()];
      if (sent !== value) {
        // As careless servers do: the credential it got, echoed in the error.
        reply(res, 401, `unauthorized: ${name} was ${String(sent)}`);
        return;
      }
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = this.sessions.get(sessionId);
      if (transport === undefined) reply(res, 404, 'Session not found');
      else await transport.handleRequest(req, res);
      return;
    }
    if (req.method !== 'POST') {
      reply(res, 400, 'no session');
      return;
    }
    // A new session; the transport itself refuses anything but an initialize request.
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        this.sessions.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
    };
    await this.tools.createServer().connect(transport);
    await transport.handleRequest(req, res);
  }
}
