import type { DialectId } from '../dialects/dialect.js';
import type { TokenUsage } from '../dialects/token-usage.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';

/** One walk of the key pool; the agentic loop makes one per iteration. */
export interface UpstreamCallRecord {
  /** 0 for the client's own request. */
  readonly iteration: number;
  readonly attempts: readonly UpstreamAttempt[];
  readonly usage: TokenUsage;
}

/** A tool call the model made: one of the gateway's (injected) or one of the client's own. */
export interface ToolCallRecord {
  readonly iteration: number;
  /** The MCP server of an injected tool. */
  readonly server: string | undefined;
  /** The tool's own name (on its server, for an injected one). */
  readonly tool: string;
  readonly injected: boolean;
  /** The arguments as JSON text, as the model wrote them. */
  readonly arguments: string;
  /** How long an injected call took; undefined for the client's. */
  readonly durationMs: number | undefined;
  /** What an injected call's failure said to the model. */
  readonly error: string | undefined;
}

/**
 * completed: the upstream answered 2xx and, for a stream, reached its terminal event.
 * upstream_error: the upstream answered an error (status or in-stream) that we relayed.
 * failed: the gateway answered with an error of its own (exhausted pool, unreachable upstream…).
 * cancelled: the client went away first.
 * shutdown: still running when the gateway's shutdown grace ran out.
 */
export type InterceptionOutcome =
  'completed' | 'upstream_error' | 'failed' | 'cancelled' | 'shutdown';

/** One bridged call as the people paying for it will see it. Never holds a secret. */
export interface Interception {
  readonly id: string;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly provider: string;
  readonly dialect: DialectId;
  readonly model: string;
  readonly streaming: boolean;
  readonly user: string;
  readonly credentialKind: 'centralized' | 'byok';
  /** Masked hint of the last key actually sent a request; undefined if none was. */
  readonly keyHint: string | undefined;
  readonly attempts: number;
  readonly upstreamCalls: readonly UpstreamCallRecord[];
  readonly toolCalls: readonly ToolCallRecord[];
  readonly status: number;
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
  readonly usage: TokenUsage;
}

/** Where finished interceptions go. Implementations must not block or throw. */
export interface InterceptionSink {
  record(interception: Interception): void;
}
