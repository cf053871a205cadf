import type { ClientOutcome } from './client-outcome.js';
import type { MockReply, SeenRequest } from './mock-upstream.js';
import type { ParsedEvent } from './sse-text.js';

export interface CallOptions {
  readonly gatewayUrl: string;
  readonly token: string;
  readonly streaming: boolean;
  /** Bring-your-own-key: the provider key goes in the standard credential, the token in X-Switchyard-Token. */
  readonly byokKey?: string;
}

export const SUCCESS_TEXT = 'Hello from upstream';

/**
 * Everything the shared scenario table needs to know about one API: its route, what its
 * upstream sends, and how its official SDK and a raw HTTP client see the result.
 */
export interface DialectProfile {
  readonly name: string;
  readonly provider: { readonly name: string; readonly type: 'anthropic' | 'openai' };
  readonly route: string;
  /** What the upstream answers a successful call; it may depend on the request it got. */
  success(streaming: boolean, seen?: SeenRequest): MockReply;
  upstreamError(status: number, message: string, headers?: Record<string, string>): MockReply;
  /** Some events, then the API's own in-stream error event. */
  midStreamError(): MockReply;
  /** Some events, then the connection drops. */
  midStreamDrop(): MockReply;
  callSdk(options: CallOptions): Promise<ClientOutcome>;
  callRaw(options: CallOptions, body?: string): Promise<ClientOutcome>;
  requestBody(streaming: boolean): Record<string, unknown>;
  errorMessageOf(body: unknown): string | undefined;
  /** Whether an event is this API's in-stream error event. */
  isStreamError(event: ParsedEvent | undefined): boolean;
  /** Streams with the SDK and reports the text received before any error the SDK threw. */
  streamWithSdk(options: CallOptions): Promise<{ textBeforeError: string; error: unknown }>;
}

export function errorOutcome(
  status: number,
  headers: Record<string, string>,
  body: unknown,
  message: string | undefined,
): ClientOutcome {
  return { status, headers, text: undefined, errorMessage: message, errorBody: body };
}
