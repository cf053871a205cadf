import type { DialectId } from '../dialects/dialect.js';
import type { TokenUsage } from '../dialects/token-usage.js';

/**
 * completed: the upstream answered 2xx and, for a stream, reached its terminal event.
 * upstream_error: the upstream answered an error (status or in-stream) that we relayed.
 * failed: the gateway answered with an error of its own (exhausted pool, unreachable upstream…).
 * cancelled: the client went away first.
 * shutdown: still streaming when the shutdown grace ended; the gateway closed it.
 */
export type InterceptionOutcome =
  'completed' | 'upstream_error' | 'failed' | 'cancelled' | 'shutdown';

/** One try of one upstream call with one key (or the caller's own credential). */
export interface UpstreamAttempt {
  readonly keyHint: string;
  /** The key's place in the provider's pool; undefined for BYOK. */
  readonly keyIndex: number | undefined;
  /** Undefined when no answer came (a transport error). */
  readonly status: number | undefined;
  readonly latencyMs: number;
  /** The gateway moved on to the next key after this attempt. */
  readonly failedOver: boolean;
  readonly upstreamRequestId: string | undefined;
  readonly error: string | undefined;
}

/** One upstream call and the attempts it took. */
export interface UpstreamCallRecord {
  /** 0 is the client's own request; >0 are continuations of the agentic tool loop. */
  readonly iteration: number;
  readonly attempts: readonly UpstreamAttempt[];
  readonly usage: TokenUsage;
  /** Counts the API reports beyond TokenUsage's five (e.g. audio, web searches), by its own names. */
  readonly otherUsage?: Readonly<Record<string, number>>;
}

/** A tool call the model made: one the client will run, or one injected and run by the gateway. */
export interface ToolCallRecord {
  readonly iteration: number;
  /** The MCP server of an injected tool; undefined for the client's own tools. */
  readonly server: string | undefined;
  readonly tool: string;
  readonly injected: boolean;
  /** JSON text, as the model wrote it. */
  readonly arguments: string;
  readonly durationMs: number | undefined;
  readonly error: string | undefined;
}

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
  /** Masked hint of the key that served it, else the last key tried; undefined if none was. */
  readonly keyHint: string | undefined;
  /** Upstream attempts over every call. */
  readonly attempts: number;
  readonly status: number;
  readonly outcome: InterceptionOutcome;
  readonly error: string | undefined;
  /** Summed over every upstream call. */
  readonly usage: TokenUsage;
  /** Summed like `usage`: counts beyond its five, by the API's own names. */
  readonly otherUsage?: Readonly<Record<string, number>>;
  readonly upstreamCalls: readonly UpstreamCallRecord[];
  readonly toolCalls: readonly ToolCallRecord[];
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
