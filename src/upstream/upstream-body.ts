import type { Dispatcher } from 'undici';
import type { UpstreamTransportError } from './upstream-error.js';

/** Where an upstream body goes, chunk by chunk. */
export interface BodySink {
  onData(chunk: Buffer): void;
  onEnd(): void;
  onError(error: UpstreamTransportError): void;
}

/** What a body needs of undici's dispatch controller; a fake one drives bodies in unit tests. */
export type BodyController = Pick<Dispatcher.DispatchController, 'pause' | 'resume' | 'abort'>;

const SETTLED: BodyController = {
  pause: () => undefined,
  resume: () => undefined,
  abort: () => undefined,
};

/**
 * A response body delivered by callbacks straight from undici's dispatcher, with its flow
 * control (pause/resume), and no stream object in between: on the hot path, a Readable per
 * response costs more than everything else the gateway does to it.
 */
export class UpstreamBody {
  private sink: BodySink | undefined;
  private onChunk: ((chunk: Buffer) => void) | undefined;
  private onFinish: ((error: unknown) => void) | undefined;
  private queued: Buffer[] = [];
  private ended = false;
  private failure: UpstreamTransportError | undefined;

  /**
   * @param stallLimitMs How long a reader may keep the body paused. undici's idle timeout
   * does not run while a body is paused, so a client that stops reading would otherwise
   * hold the upstream stream open for ever.
   */
  constructor(
    private readonly controller: BodyController,
    readonly stallLimitMs: number,
  ) {}

  /** A body already complete in memory, such as a failed answer kept to be relayed later. */
  static of(bytes: Buffer): UpstreamBody {
    const body = new UpstreamBody(SETTLED, 0);
    if (bytes.length > 0) body.push(bytes);
    body.end();
    return body;
  }

  /** Starts delivery; chunks that arrived before are delivered first. Call once. */
  pipeTo(sink: BodySink): void {
    this.sink = sink;
    const queued = this.queued;
    this.queued = [];
    for (const chunk of queued) sink.onData(chunk);
    if (this.failure !== undefined) sink.onError(this.failure);
    else if (this.ended) sink.onEnd();
  }

  pause(): void {
    this.controller.pause();
  }

  resume(): void {
    this.controller.resume();
  }

  /** Gives up on the rest of the body and closes its connection. */
  abort(reason: string): void {
    this.controller.abort(new Error(reason));
  }

  /**
   * Lets an observer see the body as it arrives (chunks before any decoding) and when it
   * finishes, whoever reads it. One tap per body, before it is piped: the chunks that came
   * with the head, before anyone could tap, are given to it first.
   */
  tap(onChunk: ((chunk: Buffer) => void) | undefined, onFinish: (error: unknown) => void): void {
    this.onChunk = onChunk;
    this.onFinish = onFinish;
    if (onChunk !== undefined) for (const chunk of this.queued) onChunk(chunk);
    if (this.failure !== undefined) onFinish(this.failure);
    else if (this.ended) onFinish(undefined);
  }

  /** @internal Called by the dispatch handler. */
  push(chunk: Buffer): void {
    this.onChunk?.(chunk);
    if (this.sink === undefined) this.queued.push(chunk);
    else this.sink.onData(chunk);
  }

  /** @internal */
  end(): void {
    this.ended = true;
    this.onFinish?.(undefined);
    this.sink?.onEnd();
  }

  /** @internal */
  fail(error: UpstreamTransportError): void {
    this.failure = error;
    this.onFinish?.(error);
    this.sink?.onError(error);
  }
}
