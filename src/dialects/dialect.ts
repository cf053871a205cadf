import type { TokenUsage } from './token-usage.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { SseEventHandler } from '../sse/framer.js';
import type { AgenticCodec } from './agentic.js';
import type { BridgeRequest } from './bridge-request.js';
import type { JsonObjectText } from './json-object.js';
import type { ToolEncoding } from './tool-injection.js';

export type { BridgeRequest } from './bridge-request.js';

export type DialectId = 'anthropic-messages' | 'openai-chat' | 'openai-responses';

/** Which error shape a client of this API expects. */
export type ApiFamily = 'anthropic' | 'openai';

/** Watches a copy of the upstream event stream; may rewrite the few events that must change. */
export interface StreamObserver {
  readonly onEvent: SseEventHandler;
  /** 'completed' after the API's terminal event, 'error' after an in-stream error event. */
  readonly end: 'completed' | 'error' | undefined;
  /** The upstream's own error message, when it sent one in-stream. */
  readonly errorMessage: string | undefined;
  readonly usage: TokenUsage;
  /** Counts beyond `usage`'s five, by the API's own names; undefined when there were none. */
  otherUsage(): Record<string, number> | undefined;
  /** The model's reasoning text, bounded; only collected when asked for (`collectThoughts`). */
  thoughts(): string | undefined;
  /** The API's own in-stream error event, for errors that happen after the commit point. */
  errorEvent(error: GatewayError): Buffer;
}

export interface StreamObserverOptions {
  /**
   * Collect the reasoning text (`recording.thoughts`). Off, the deltas that carry it are
   * never decoded.
   */
  readonly collectThoughts?: boolean;
}

/** What differs between the APIs a gateway bridges; everything else is shared. */
export interface Dialect {
  readonly id: DialectId;
  readonly family: ApiFamily;
  /**
   * The bytes to send upstream: the client's own, or minimally edited; with
   * `injectedTools` (from `tools.declarations`) appended to the request's tools.
   */
  upstreamBody(request: BridgeRequest, injectedTools?: Buffer): Buffer;
  /** Without a request: a stream replayed by a passthrough route (a stored response). */
  observeStream(
    request: BridgeRequest | undefined,
    options?: StreamObserverOptions,
  ): StreamObserver;
  /** Usage from the `usage` member of a complete (non-streamed) response. */
  usageOf(usage: unknown): TokenUsage;
  /** The counts of such a `usage` member beyond `usageOf`'s, by the API's names. */
  otherUsageOf(usage: unknown): Record<string, number> | undefined;
  /** The last user prompt of a request (bounded); undefined when it has none. */
  promptOf(body: JsonObjectText): string | undefined;
  /** The model's reasoning text in a complete response (bounded); undefined when none. */
  thoughtsOf(answer: JsonObjectText): string | undefined;
  /** Declaring injected tools in this API's format and adding them to a request. */
  readonly tools: ToolEncoding;
  /** How this API takes part in the agentic loop; undefined: injected tools are not offered. */
  readonly agentic: AgenticCodec | undefined;
}
