import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { ApiFamily } from '../dialects/dialect.js';
import { errorBody } from './error-shapes.js';
import type { GatewayError } from './gateway-error.js';

/**
 * One client request/response pair. Knows when the client has gone away, so that the
 * upstream call made for it is aborted (its `signal`) and nothing more is written.
 */
export class Exchange {
  private readonly controller = new AbortController();
  readonly startedAt: number;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    now: number,
  ) {
    this.startedAt = now;
    res.on('close', () => {
      if (!res.writableFinished) this.controller.abort();
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get clientGone(): boolean {
    return this.controller.signal.aborted;
  }

  /** Writes with backpressure: waits for the client to drain, or rejects once it has gone. */
  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0 || this.res.write(chunk)) return;
    await once(this.res, 'drain', { signal: this.controller.signal });
  }

  sendJson(status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
    if (this.clientGone) return;
    this.res.writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    this.res.end(body);
  }

  /**
   * A gateway-made error in the client's API shape. Before the response has started this is
   * a JSON answer; after it, there is no honest way to say it except closing the connection,
   * which callers avoid by handling errors themselves once they have committed.
   */
  sendError(family: ApiFamily, error: GatewayError): void {
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    this.sendJson(error.status, errorBody(family, error), error.headers);
  }
}
