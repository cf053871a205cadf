import type { IncomingHttpHeaders } from 'node:http';
import type { DialectId } from '../dialects/dialect.js';
import type { Interception, ToolCallRecord } from '../recorder/interception.js';
import type { AttemptObserver } from '../upstream/attempt-observer.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';

export type { AttemptStart, AttemptWatch } from '../upstream/attempt-observer.js';

/**
 * The one event interface through which metrics, tracing and the API dump watch an
 * interception (DESIGN rule 6). Observers must never block or break a response: every
 * method is synchronous, cheap, and must not throw (the composite in observers.ts catches
 * and logs anyway).
 */

export interface InterceptionStart {
  readonly id: string;
  /** Bridged through a dialect, or an allow-listed passthrough route. */
  readonly kind: 'bridged' | 'passthrough';
  readonly provider: string;
  /** The bridged API; undefined for passthrough. */
  readonly dialect: DialectId | undefined;
  readonly model: string | undefined;
  readonly streaming: boolean;
  readonly user: string;
  readonly credentialKind: 'centralized' | 'byok';
  readonly method: string;
  /** Path below the provider's base URL. */
  readonly upstreamPath: string;
  /** The client's headers (for a W3C traceparent; credentials must not be copied anywhere). */
  readonly headers: IncomingHttpHeaders;
  /** The client's request body as received (bridged: before the gateway's edits). */
  readonly body: Buffer | undefined;
  readonly startedAt: number;
}

/** How an interception ended, for observers of passthrough calls too. */
export interface InterceptionEnd {
  readonly outcome: Interception['outcome'];
  readonly status: number;
  readonly error: string | undefined;
  readonly attempts: readonly UpstreamAttempt[];
  /** The full record of a bridged call; undefined for passthrough. */
  readonly record: Interception | undefined;
  readonly endedAt: number;
}

export interface InterceptionWatch extends AttemptObserver {
  /** The commit point: the client's status line went out. */
  committed?(at: number): void;
  /** An injected tool ran, or the client's own tool call was seen. */
  toolCall?(call: ToolCallRecord, endedAt: number): void;
  end?(end: InterceptionEnd): void;
}

export interface InterceptionObserver {
  /** A request that will go upstream starts; returns its watcher, or undefined to skip it. */
  start(start: InterceptionStart): InterceptionWatch | undefined;
}
