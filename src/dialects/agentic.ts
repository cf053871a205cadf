import type { GatewayError } from '../errors/gateway-error.js';
import type { SseEventHandler } from '../sse/framer.js';
import type { BridgeRequest } from './bridge-request.js';
import type { JsonObjectText } from './json-object.js';
import type { TokenUsage } from './token-usage.js';

/**
 * What each API must say for the agentic loop (MCP tools run by the gateway), in its own
 * format. The loop itself (interception/tool-loop.ts) exists once for every API and mode;
 * a codec only knows how its API writes tool calls, tool results and one answer made of
 * several upstream answers.
 */

/** A tool call the model made, in no API's format. */
export interface ToolCall {
  /** What pairs the call with its result: tool_use.id, tool_calls[].id, call_id. */
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text, as the model wrote them. */
  readonly arguments: string;
}

/** The result of an injected call, as the model will read it. */
export interface ToolOutcome {
  readonly call: ToolCall;
  readonly text: string;
  readonly isError: boolean;
}

/** What one upstream answer (one iteration of the loop) amounted to, once complete. */
export interface Turn {
  /**
   * The injected tools the model called, in order. Not empty: the loop runs them and calls
   * upstream again. Empty: this answer is final and has been given to the client.
   */
  readonly injectedCalls: readonly ToolCall[];
  /**
   * The client's own tool calls. When the turn is final they reached the client. When the
   * turn also called injected tools they were dropped: the model sees the injected results
   * first and asks again for what it still needs, so the client only ever receives turns
   * whose tool calls are all its own.
   */
  readonly clientCalls: readonly ToolCall[];
  /** This upstream answer's own usage. */
  readonly usage: TokenUsage;
  /**
   * The assistant turn as this API writes it into the next request: the answer's content
   * with the injected calls and without the client's. The codec reads it back in
   * `continuation`; the loop does not look inside. Empty when `injectedCalls` is.
   */
  readonly replay: Buffer;
}

/** Tells injected tools from the client's own, by the name the model used. */
export type IsInjected = (name: string) => boolean;

/** Assembles the blocking answers of one loop into the client's one answer. */
export interface BlockingAssembler {
  /** Reads one complete 2xx upstream answer. */
  read(body: JsonObjectText): Turn;
  /**
   * Called only when the last `read` had no injected calls. The client's answer: the content of every iteration in order,
   * injected calls and their results hidden, usage summed over the loop; otherwise the
   * final upstream answer as it was.
   */
  answer(): Buffer;
}

/** Watches one iteration's upstream event stream and says what the client sees of it. */
export interface IterationObserver {
  /**
   * Returns the bytes to send the client for this event: the event untouched (undefined),
   * rewritten (ids, indexes, sequence numbers, summed usage), held back for later (an
   * empty buffer), or several events at once (held ones released). The first non-empty
   * bytes of the whole loop commit the exchange.
   */
  readonly onEvent: SseEventHandler;
  /** 'completed' once the iteration reached its API's terminal event; 'error' after an error event. */
  readonly end: 'completed' | 'error' | undefined;
  readonly errorMessage: string | undefined;
  /** This iteration's usage so far. */
  readonly usage: TokenUsage;
}

/** Rewrites the streamed answers of one loop into one stream for the client. */
export interface StreamAssembler {
  /**
   * An observer for the next upstream stream: called once per 2xx event stream the loop
   * actually reads (never for a failed-over attempt).
   */
  iteration(): IterationObserver;
  /** Only after the current iteration's stream reached its terminal event (`end` 'completed'). */
  turn(): Turn;
  /** The API's in-stream error event, continuing the client's stream (indexes, sequence numbers). */
  errorEvent(error: GatewayError): Buffer;
}

export interface AgenticCodec {
  /**
   * The next request: `previous` (the body sent upstream last) with the model's turn
   * (`turn.replay`) and the tool results appended, as this API writes them. Every other
   * byte as it was: model, tools, settings, the client's own fields. `results` holds
   * exactly one outcome per `turn.injectedCalls`, in that order.
   */
  continuation(previous: JsonObjectText, turn: Turn, results: readonly ToolOutcome[]): Buffer;
  blocking(isInjected: IsInjected): BlockingAssembler;
  streaming(isInjected: IsInjected, request: BridgeRequest): StreamAssembler;
}
