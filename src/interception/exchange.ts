import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiFamily } from '../dialects/dialect.js';
import { Cancellation } from '../upstream/cancellation.js';
import type { UpstreamBody } from '../upstream/upstream-body.js';
import { errorBody } from '../dialects/error-shapes.js';
import type { GatewayError } from '../errors/gateway-error.js';

/**
 * One client request/response pair. Knows when the client has gone away, so that the
 * upstream call made for it is aborted (its `cancellation`) and nothing more is written.
 */
export class Exchange {
  readonly cancellation = new Cancellation();
  readonly startedAt: number;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    now: number,
  ) {
    this.startedAt = now;
    res.on('close', () => {
      clearTimeout(this.stallTimer);
      if (!res.writableFinished) this.cancellation.cancel();
    });
  }

  get clientGone(): boolean {
    return this.cancellation.isCancelled;
  }

  /**
   * Writes bytes relayed from `source` with backpressure: when the client's socket buffer is
   * full, the upstream body is paused until it drains. A client that reads nothing for the
   * source's stall limit is disconnected, which aborts the upstream call like a hang-up.
   */
  relay(chunk: Buffer, source: UpstreamBody): void {
    if (chunk.length === 0 || this.res.write(chunk) || this.stallTimer !== undefined) return;
    source.pause();
    this.stallTimer = setTimeout(() => {
      this.res.destroy();
    }, source.stallLimitMs);
    this.res.once('drain', () => {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      source.resume();
    });
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
