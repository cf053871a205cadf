import { request } from 'undici';
import { headersToRecord, type ClientOutcome } from './client-outcome.js';
import type { MockReply, SeenRequest } from './mock-upstream.js';
import { parseSseText, type ParsedEvent } from './sse-text.js';

export interface CallOptions {
  readonly gatewayUrl: string;
  readonly token: string;
  readonly streaming: boolean;
  /** Bring-your-own-key: the provider key goes in the standard credential, the token in X-Switchyard-Token. */
  readonly byokKey?: string;
}

export const SUCCESS_TEXT = 'Hello from upstream';

interface SdkResult<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly data: T;
}

/**
 * Everything the shared scenario tables need to know about one API: its route, what its
 * upstream sends, and how its official SDK and a raw HTTP client reach it. The runners
 * below turn that into outcomes the tables can judge, the same way for every API.
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
  requestBody(streaming: boolean): Record<string, unknown>;
  errorMessageOf(body: unknown): string | undefined;
  /** Whether an event is this API's in-stream error event. */
  isStreamError(event: ParsedEvent | undefined): boolean;
  /** The assistant's text from a blocking body or from one parsed stream event. */
  textOfBody(body: unknown): string | undefined;
  textOfEvent(data: unknown): string | undefined;
  /** How the official SDK makes the call; `stream` yields text pieces. */
  sdkBlocking(options: CallOptions): Promise<SdkResult<string | undefined>>;
  sdkStream(options: CallOptions): Promise<SdkResult<AsyncIterable<string>>>;
  /** The SDK's error as the body the gateway sent, or undefined if it is not an API error. */
  sdkErrorBody(
    error: unknown,
  ): { status: number; headers: Headers | undefined; body: unknown } | undefined;
  /** Credential headers the raw client sends. */
  rawHeaders(options: CallOptions): Record<string, string>;
}

export function errorOutcome(
  status: number,
  headers: Record<string, string>,
  body: unknown,
  message: string | undefined,
): ClientOutcome {
  return { status, headers, text: undefined, errorMessage: message, errorBody: body };
}

function successOutcome(
  status: number,
  headers: Record<string, string>,
  text: string | undefined,
): ClientOutcome {
  return { status, headers, text, errorMessage: undefined, errorBody: undefined };
}

async function concat(
  pieces: AsyncIterable<string>,
  onPiece?: (text: string) => void,
): Promise<string> {
  let text = '';
  for await (const piece of pieces) {
    text += piece;
    onPiece?.(text);
  }
  return text;
}

function sdkFailure(profile: DialectProfile, error: unknown): ClientOutcome {
  const failure = profile.sdkErrorBody(error);
  if (failure === undefined) throw error;
  return errorOutcome(
    failure.status,
    headersToRecord(failure.headers),
    failure.body,
    profile.errorMessageOf(failure.body),
  );
}

/** One call through the official SDK. */
export async function callSdk(
  profile: DialectProfile,
  options: CallOptions,
): Promise<ClientOutcome> {
  try {
    if (!options.streaming) {
      const { status, headers, data } = await profile.sdkBlocking(options);
      return successOutcome(status, headersToRecord(headers), data);
    }
    const { status, headers, data } = await profile.sdkStream(options);
    return successOutcome(status, headersToRecord(headers), await concat(data));
  } catch (error) {
    return sdkFailure(profile, error);
  }
}

/** Streams with the SDK and reports the text received before any error it threw. */
export async function streamWithSdk(
  profile: DialectProfile,
  options: CallOptions,
): Promise<{ textBeforeError: string; error: unknown }> {
  let textBeforeError = '';
  try {
    const { data } = await profile.sdkStream(options);
    await concat(data, (text) => (textBeforeError = text));
  } catch (error) {
    return { textBeforeError, error };
  }
  return { textBeforeError, error: undefined };
}

/** One call with a plain HTTP client, where exact bytes and headers matter. */
export async function callRaw(
  profile: DialectProfile,
  options: CallOptions,
  body?: string,
): Promise<ClientOutcome> {
  const response = await request(`${options.gatewayUrl}${profile.route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...profile.rawHeaders(options) },
    body: body ?? JSON.stringify(profile.requestBody(options.streaming)),
  });
  const text = await response.body.text();
  const headers = headersToRecord(response.headers);
  if (response.statusCode >= 400) {
    const parsed = JSON.parse(text) as unknown;
    return errorOutcome(response.statusCode, headers, parsed, profile.errorMessageOf(parsed));
  }
  if (!options.streaming)
    return successOutcome(response.statusCode, headers, profile.textOfBody(JSON.parse(text)));
  const pieces = parseSseText(text)
    .filter((event) => event.data.startsWith('{'))
    .map((event) => profile.textOfEvent(JSON.parse(event.data)) ?? '');
  return successOutcome(response.statusCode, headers, pieces.join(''));
}
