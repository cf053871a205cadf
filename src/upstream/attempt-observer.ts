import type { UpstreamAttempt } from './upstream-attempt.js';

export interface AttemptStart {
  readonly keyHint: string;
  readonly keyIndex: number | undefined;
  /** 0 for the client's own request; >0 for agentic continuations. */
  readonly iteration: number;
  readonly method: string;
  readonly path: string;
  /**
   * The headers about to go upstream, credentials included: an observer may add its own
   * (a traceparent) but must never record a credential.
   */
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly startedAt: number;
}

/** One upstream attempt as it happens: its answer's head, then its body, then its end. */
export interface AttemptWatch {
  /** The answer's head arrived. */
  head?(status: number, headers: Readonly<Record<string, string | string[] | undefined>>): void;
  /** A chunk of the answer's body, as received (before any decoding). */
  data?(chunk: Buffer): void;
  /** The attempt is over: its body ended (or was abandoned), or no answer came. */
  end?(attempt: UpstreamAttempt, error: unknown): void;
}

/** Whoever watches the attempts of one upstream call (the interception's observers). */
export interface AttemptObserver {
  /** An upstream attempt starts (a key tried); returns its own watcher, or undefined. */
  attempt?(start: AttemptStart): AttemptWatch | undefined;
}
