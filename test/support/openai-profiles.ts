import OpenAI, { APIError as OpenAIAPIError } from 'openai';
import { ResponseStream } from 'openai/lib/responses/ResponseStream';
import type { MockReply, SeenRequest } from './mock-upstream.js';
import {
  chatCompletion,
  chatStreamError,
  chatStreamEvents,
  openaiError,
  responseObject,
  responsesStreamError,
  responsesStreamEvents,
} from './openai-fixtures.js';
import { SUCCESS_TEXT, type CallOptions, type DialectProfile } from './profile.js';

const openaiErrorMessage = (body: unknown): string | undefined => {
  const error = (body as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string' ? error.message : undefined;
};

// A guard rather than a bare instanceof, which would type the error's fields as any.
function isOpenAIApiError(error: unknown): error is OpenAIAPIError {
  return error instanceof OpenAIAPIError;
}

function sdkClient({ gatewayUrl, token, byokKey }: CallOptions): OpenAI {
  return new OpenAI({
    baseURL: `${gatewayUrl}/openai/v1`,
    apiKey: byokKey ?? token,
    maxRetries: 0,
    defaultHeaders: byokKey === undefined ? {} : { 'X-Switchyard-Token': token },
  });
}

async function* pieces<T>(
  stream: AsyncIterable<T>,
  pick: (event: T) => string | undefined,
): AsyncIterable<string> {
  for await (const event of stream) yield pick(event) ?? '';
}

function includeUsage(seen: SeenRequest | undefined): boolean {
  if (seen === undefined) return false;
  const body = JSON.parse(seen.body.toString()) as { stream_options?: { include_usage?: boolean } };
  return body.stream_options?.include_usage === true;
}

/** What OpenAI profiles share: error shape, credentials, how SDK errors look. */
const openaiCommon = {
  provider: { name: 'openai', type: 'openai' },
  upstreamError: (
    status: number,
    message: string,
    headers?: Record<string, string>,
  ): MockReply => ({
    status,
    headers: { 'x-request-id': 'req_upstream_1', ...headers },
    body: openaiError(status, message),
  }),
  errorMessageOf: openaiErrorMessage,
  // The SDK keeps only the inner `error` object of the body.
  sdkErrorBody: (error: unknown) =>
    isOpenAIApiError(error)
      ? { status: error.status ?? 0, headers: error.headers, body: { error: error.error } }
      : undefined,
  rawHeaders: ({ token, byokKey }: CallOptions) => ({
    authorization: `Bearer ${byokKey ?? token}`,
    ...(byokKey === undefined ? {} : { 'x-switchyard-token': token }),
  }),
} as const;

const chatMessages = [{ role: 'user' as const, content: 'Hi' }];
const chatText = (chunk: unknown): string | undefined =>
  (chunk as { choices?: { delta?: { content?: string | null } }[] }).choices?.[0]?.delta?.content ??
  undefined;

export const chatProfile: DialectProfile = {
  ...openaiCommon,
  name: 'chat',
  route: '/openai/v1/chat/completions',
  success: (streaming, seen) =>
    streaming
      ? { sse: chatStreamEvents(SUCCESS_TEXT, includeUsage(seen)) }
      : { status: 200, body: chatCompletion(SUCCESS_TEXT) },
  midStreamError: () => ({
    sse: [...chatStreamEvents(SUCCESS_TEXT).slice(0, 2), chatStreamError()],
  }),
  midStreamDrop: () => ({ sse: chatStreamEvents(SUCCESS_TEXT).slice(0, 2), then: 'drop' }),
  requestBody: (streaming) => ({ model: 'gpt-test', stream: streaming, messages: chatMessages }),
  isStreamError: (event) =>
    event !== undefined &&
    event.event === undefined &&
    event.data.startsWith('{') &&
    openaiErrorMessage(JSON.parse(event.data)) !== undefined,
  textOfBody: (body) =>
    (body as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
  textOfEvent: chatText,
  async sdkBlocking(options) {
    const { data, response } = await sdkClient(options)
      .chat.completions.create({ model: 'gpt-test', messages: chatMessages })
      .withResponse();
    return {
      status: response.status,
      headers: response.headers,
      data: data.choices[0]?.message.content ?? undefined,
    };
  },
  async sdkStream(options) {
    const { data, response } = await sdkClient(options)
      .chat.completions.create({ model: 'gpt-test', messages: chatMessages, stream: true })
      .withResponse();
    return { status: response.status, headers: response.headers, data: pieces(data, chatText) };
  },
};

const responsesEvents = responsesStreamEvents(SUCCESS_TEXT);
const responseDelta = (event: unknown): string | undefined => {
  const e = event as { type?: string; delta?: string };
  return e.type === 'response.output_text.delta' ? e.delta : undefined;
};

export const responsesProfile: DialectProfile = {
  ...openaiCommon,
  name: 'responses',
  route: '/openai/v1/responses',
  success: (streaming) =>
    streaming ? { sse: responsesEvents } : { status: 200, body: responseObject(SUCCESS_TEXT) },
  midStreamError: () => ({ sse: [...responsesEvents.slice(0, 5), responsesStreamError(5)] }),
  midStreamDrop: () => ({ sse: responsesEvents.slice(0, 5), then: 'drop' }),
  requestBody: (streaming) => ({ model: 'gpt-test', stream: streaming, input: 'Hi' }),
  isStreamError: (event) => {
    if (event?.event !== 'error') return false;
    const data = JSON.parse(event.data) as {
      type?: string;
      message?: unknown;
      sequence_number?: unknown;
    };
    return (
      data.type === 'error' &&
      typeof data.message === 'string' &&
      typeof data.sequence_number === 'number'
    );
  },
  textOfBody: (body) => {
    for (const item of (
      body as { output: { type: string; content?: { type: string; text: string }[] }[] }
    ).output) {
      if (item.type === 'message') return item.content?.find((c) => c.type === 'output_text')?.text;
    }
    return undefined;
  },
  textOfEvent: responseDelta,
  async sdkBlocking(options) {
    const { data, response } = await sdkClient(options)
      .responses.create({ model: 'gpt-test', input: 'Hi' })
      .withResponse();
    return { status: response.status, headers: response.headers, data: data.output_text };
  },
  async sdkStream(options) {
    const { data, response } = await sdkClient(options)
      .responses.create({ model: 'gpt-test', input: 'Hi', stream: true })
      .withResponse();
    // Through the SDK's stream helper, which is what turns an in-stream error event into a throw.
    const stream = ResponseStream.fromReadableStream(data.toReadableStream());
    async function* text(): AsyncIterable<string> {
      yield* pieces(stream, responseDelta);
      // The helper reports an in-stream error (or a stream without response.completed) here.
      await stream.finalResponse();
    }
    return { status: response.status, headers: response.headers, data: text() };
  },
};
