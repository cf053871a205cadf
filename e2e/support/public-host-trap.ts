import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy that refuses everything and remembers where the client wanted to go. Both CLIs
 * honour the proxy variables and resolve nothing themselves when one is set, so a call to a
 * public host fails at once (no DNS wait, no traffic on a machine that has internet) and
 * the test can name the host instead of silently depending on the network.
 */
export class PublicHostTrap {
  /** `host:port` for tunnels, the absolute URL for plain requests, in arrival order. */
  readonly attempts: string[] = [];
  private readonly server: Server;
  private url = '';

  private constructor() {
    this.server = createServer((req, res) => {
      this.attempts.push(req.url ?? '');
      res.writeHead(403).end();
    });
    this.server.on('connect', (req, socket) => {
      this.attempts.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    });
  }

  static async start(): Promise<PublicHostTrap> {
    const trap = new PublicHostTrap();
    await new Promise<void>((resolve) => trap.server.listen(0, '127.0.0.1', resolve));
    const { port } = trap.server.address() as AddressInfo;
    trap.url = `http://127.0.0.1:${port}`;
    return trap;
  }

  /** Proxy variables in both spellings; loopback (the gateway) stays direct. */
  get env(): Record<string, string> {
    const direct = '127.0.0.1,localhost,::1';
    return {
      HTTPS_PROXY: this.url,
      https_proxy: this.url,
      HTTP_PROXY: this.url,
      http_proxy: this.url,
      ALL_PROXY: this.url,
      all_proxy: this.url,
      NO_PROXY: direct,
      no_proxy: direct,
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
