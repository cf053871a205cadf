import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiFamily } from '../dialects/dialect.js';
import { errorBody } from '../dialects/error-shapes.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { Cancellation } from '../upstream/cancellation.js';
import type { UpstreamBody } from '../upstream/upstream-body.js';
import { timeOrderedId } from './request-id.js';

export const REQUEST_ID_HEADER = 'x-switchyard-request-id';

/**
 * before: nothing has been sent; an error is still a status and a body, and failover may
 * still try another key. committed: the status line has gone out (the commit point); from
 * here an error can only be said in the body, as the API's in-stream error event.
 * ended: the response is complete, or the client has gone.
 */
export type ExchangePhase = 'before' | 'committed' | 'ended';

/** How a committed response can still say that something went wrong. */
export type InStreamError = (error: GatewayError) => Buffer;

/**
 * One client request/response pair and the commit point as a named state. Every error path
 * goes through `fail`, which says the error the only way still open. Knows when the client
 * has gone, so the upstream call made for it is aborted (its `cancellation`).
 */
export class Exchange {
  readonly id: string;
  readonly cancellation = new Cancellation();
  readonly startedAt: number;
  private current: ExchangePhase = 'before';
  private inStreamError: InStreamError | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  /** Told when the commit point is passed (time to first byte, for observers). */
  onCommit: (() => void) | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    now: number,
  ) {
    this.startedAt = now;
    this.id = timeOrderedId(now);
    res.on('close', () => {
      clearTimeout(this.stallTimer);
      this.current = 'ended';
      if (!res.writableFinished) this.cancellation.cancel('client');
    });
  }

  get phase(): ExchangePhase {
    return this.current;
  }

  get clientGone(): boolean {
    return this.cancellation.reason === 'client';
  }

  /** The gateway is shutting down and its grace is over: whatever runs for this exchange stops. */
  get shuttingDown(): boolean {
    return this.cancellation.reason === 'shutdown';
  }

  /**
   * The commit point. `inStreamError` is how this response's format carries an error from
   * here on; without one (a JSON body too large to hold), the connection can only be closed.
   */
  commit(
    status: number,
    headers: OutgoingHttpHeaders,
    inStreamError: InStreamError | undefined,
  ): void {
    if (this.current !== 'before') throw new Error(`commit in phase ${this.current}`);
    this.current = 'committed';
    this.inStreamError = inStreamError;
    this.res.writeHead(status, this.withId(headers));
    this.onCommit?.();
  }

  /** Commits an event stream, sending its head at once, before its first event exists. */
  commitEventStream(
    status: number,
    headers: Readonly<Record<string, string | string[]>>,
    inStreamError: InStreamError,
  ): void {
    // Proxies such as nginx must not hold events back.
    this.commit(status, { ...headers, 'x-accel-buffering': 'no' }, inStreamError);
    this.res.flushHeaders();
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

  /**
   * Every answer carries the request id, errors included. Given with the other headers to
   * writeHead rather than set beforehand with setHeader: a header set beforehand sends
   * writeHead down its slow path, which validates and copies every header one by one.
   */
  withId(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    return { [REQUEST_ID_HEADER]: this.id, ...headers };
  }

  /** Completes a committed response. */
  end(last?: Buffer): void {
    if (this.current === 'ended') return;
    this.current = 'ended';
    this.res.end(last);
  }

  /** A whole answer at once: status, headers and body (its length unless `headers` says). */
  respond(status: number, headers: OutgoingHttpHeaders, body: Buffer | string): void {
    if (this.current !== 'before') return;
    this.current = 'ended';
    this.res.writeHead(status, {
      [REQUEST_ID_HEADER]: this.id,
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    this.onCommit?.();
    this.res.end(body);
  }

  sendJson(status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
    this.respond(status, { ...headers, 'content-type': 'application/json' }, body);
  }

  /**
   * An error, said the only way still open: before the commit point a status and a body in
   * the client's API shape; after it the API's in-stream error event, then the end; with
   * no event format to use, closing the connection, so the client cannot take a truncated
   * body for a whole one. Returns how it was said.
   */
  fail(family: ApiFamily, error: GatewayError): 'status' | 'event' | 'closed' | 'gone' {
    switch (this.current) {
      case 'before':
        this.sendJson(error.status, errorBody(family, error), error.headers);
        return 'status';
      case 'committed':
        this.current = 'ended';
        if (this.inStreamError !== undefined) {
          this.res.end(this.inStreamError(error));
          return 'event';
        }
        this.res.destroy();
        return 'closed';
      case 'ended':
        return 'gone';
    }
  }
}
