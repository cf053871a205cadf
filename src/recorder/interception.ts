import type { DialectId } from '../dialects/dialect.js';
import type { TokenUsage } from '../dialects/token-usage.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';

export type { UpstreamAttempt } from '../upstream/upstream-attempt.js';

/** One upstream call (one walk of the key pool) and the attempts it took. */
export interface UpstreamCallRecord {
  /** 0 is the client's own request; >0 are continuations of the agentic tool loop. */
  readonly iteration: number;
  readonly attempts: readonly UpstreamAttempt[];
  readonly usage: TokenUsage;
  /** Counts the API reports beyond TokenUsage's five (e.g. audio, web searches), by its own names. */
  readonly otherUsage?: Readonly<Record<string, number>>;
}

/** A tool call the model made: one of the gateway's (injected) or one of the client's own. */
export interface ToolCallRecord {
  readonly iteration: number;
  /** The MCP server of an injected tool; undefined for the client's own tools. */
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

export type ClientName = 'claude-code' | 'codex' | 'anthropic-sdk' | 'openai-sdk' | 'other';

export interface ClientInfo {
  readonly name: ClientName;
  readonly version?: string;
  /** The SDK's language, e.g. js or python. */
  readonly language?: string;
  readonly sessionId?: string;
  readonly userAgent?: string;
}

/** One bridged call as the people paying for it will see it. Never holds a secret. */
export interface Interception {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly durationMs: number;
  readonly provider: string;
  /** The route's API. */
  readonly dialect: DialectId;
  readonly model: string;
  readonly streaming: boolean;
  readonly user: string;
  readonly credentialKind: 'centralized' | 'byok';
  /** Masked hint of the last key actually sent a request (the one that served it); undefined if none was. */
  readonly keyHint: string | undefined;
  /** Upstream attempts over every call. */
  readonly attempts: number;
  readonly upstreamCalls: readonly UpstreamCallRecord[];
  readonly toolCalls: readonly ToolCallRecord[];
  readonly status: number;
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
  /** Summed over every upstream call. */
  readonly usage: TokenUsage;
  /** Summed like `usage`: counts beyond its five, by the API's own names. */
  readonly otherUsage?: Readonly<Record<string, number>>;
  readonly client: ClientInfo;
  /** The last user prompt; kept only while `recording.prompts` is on. */
  readonly prompt?: string;
  /** The model's reasoning text; kept only while `recording.thoughts` is on. */
  readonly thoughts?: string;
  /** Estimated cost; undefined when the model is unpriced (or pricing has not run). */
  readonly costUsd?: number;
}

/** Where finished interceptions go. Implementations must not block or throw. */
export interface InterceptionSink {
  record(interception: Interception): void;
}
