import { Agent, type Dispatcher } from 'undici';
import type { AttemptObserver } from './attempt-observer.js';
import type { Cancellation } from './cancellation.js';
import type { UpstreamTimeouts } from './timeouts.js';
import { UpstreamBody } from './upstream-body.js';
import { classifyTransportError, UpstreamTransportError } from './upstream-error.js';

export interface UpstreamCall {
  readonly method: string;
  /** Path below the provider's base URL, without a leading slash, query string included. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  /** Fires when the client goes away: the upstream request is then aborted. */
  readonly cancellation: Cancellation;
  /** Observers of the interception this call belongs to (metrics, tracing, the dump). */
  readonly watch?: AttemptObserver | undefined;
  /** 0 for the client's own request; >0 for agentic continuations. */
  readonly iteration?: number;
}

/** What the failover loop needs of an HTTP client: one call, one answer head. */
export interface UpstreamTransport {
  send(call: UpstreamCall): Promise<UpstreamResponse>;
}

export type UpstreamHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: UpstreamBody;
}

/**
 * Bodies at least this large go to undici as a one-shot iterable rather than a Buffer: undici
 * keeps a Buffer body referenced for the whole request, which for a stream means minutes of
 * holding a request that may be hundreds of KB (tool declarations, conversation history).
 * Smaller ones stay Buffers, written in one corked call, since the saving would not pay for
 * the iterable's extra writes.
 */
const RELEASED_BODY_BYTES = 8 * 1024;

/** Yields `body` once and forgets it, so it can be collected once written. */
function writtenOnce(body: Buffer): Dispatcher.DispatchOptions['body'] {
  let held: Buffer | undefined = body;
  const once: Iterable<Buffer> = {
    [Symbol.iterator]: () => ({
      next: (): IteratorResult<Buffer> => {
        const chunk = held;
        held = undefined;
        return chunk === undefined
          ? { done: true, value: undefined }
          : { done: false, value: chunk };
      },
    }),
  };
  // undici writes any iterable body (its documented dispatch API); its types omit them.
  return once as unknown as Dispatcher.DispatchOptions['body'];
}

/** Turns undici's dispatch callbacks into a promise of the response head and a callback body. */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private body: UpstreamBody | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly cancellation: Cancellation,
    private readonly host: string,
    private readonly stallLimitMs: number,
    private readonly resolve: (response: UpstreamResponse) => void,
    private readonly reject: (error: UpstreamTransportError) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.unsubscribe = this.cancellation.onCancel(() => {
      controller.abort(
        new UpstreamTransportError('aborted', this.cancellation.message ?? 'request aborted'),
      );
    });
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: UpstreamHeaders,
  ): void {
    // 1xx answers are informational; the real one follows.
    if (statusCode < 200) return;
    this.body = new UpstreamBody(controller, this.stallLimitMs);
    this.resolve({ status: statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.unsubscribe?.();
    this.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.unsubscribe?.();
    const failure = classifyTransportError(error, this.host);
    if (this.body === undefined) this.reject(failure);
    else this.body.fail(failure);
  }
}

/**
 * The one HTTP client to a provider: a keep-alive connection pool per origin (no cap on
 * connections, since every open stream holds one), no redirects, no retries (failover is
 * ours to decide), and transport errors classified once.
 */
export class UpstreamHttpClient implements UpstreamTransport {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly host: string;
  private readonly basePath: string;
  private readonly idleMs: number;

  constructor(baseUrl: URL, timeouts: UpstreamTimeouts) {
    this.idleMs = timeouts.idleMs;
    this.origin = baseUrl.origin;
    this.host = baseUrl.host;
    this.basePath = baseUrl.pathname.endsWith('/') ? baseUrl.pathname : `${baseUrl.pathname}/`;
    this.agent = new Agent({
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
      connect: { timeout: timeouts.connectMs },
    });
  }

  send(call: UpstreamCall): Promise<UpstreamResponse> {
    const body = call.body;
    const released = body !== undefined && body.length >= RELEASED_BODY_BYTES;
    return new Promise((resolve, reject) => {
      this.agent.dispatch(
        {
          origin: this.origin,
          path: this.basePath + call.path,
          method: call.method,
          // An iterable has no length of its own: without this it would go chunked.
          headers: released
            ? { ...call.headers, 'content-length': String(body.length) }
            : call.headers,
          body: released ? writtenOnce(body) : body,
        },
        new ResponseHandler(call.cancellation, this.host, this.idleMs, resolve, reject),
      );
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
