import OpenAI, { APIError as OpenAIAPIError } from 'openai';
import { request } from 'undici';
import { headersToRecord, type ClientOutcome } from './client-outcome.js';
import { errorOutcome, SUCCESS_TEXT, type CallOptions, type DialectProfile } from './profile.js';
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
import type { ParsedEvent } from './sse-text.js';

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

function sdkError(error: unknown): ClientOutcome {
  if (!isOpenAIApiError(error)) throw error;
  // The SDK keeps only the inner `error` object of the body.
  const body = { error: error.error };
  return errorOutcome(
    error.status ?? 0,
    headersToRecord(error.headers),
    body,
    openaiErrorMessage(body),
  );
}

async function rawCall(
  path: string,
  options: CallOptions,
  body: string,
): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${options.byokKey ?? options.token}`,
  };
  if (options.byokKey !== undefined) headers['x-switchyard-token'] = options.token;
  const response = await request(`${options.gatewayUrl}${path}`, { method: 'POST', headers, body });
  return {
    status: response.statusCode,
    headers: headersToRecord(response.headers),
    text: await response.body.text(),
  };
}

function rawOutcome(
  result: { status: number; headers: Record<string, string>; text: string },
  successText: (text: string) => string | undefined,
): ClientOutcome {
  if (result.status >= 400) {
    const parsed = JSON.parse(result.text) as unknown;
    return errorOutcome(result.status, result.headers, parsed, openaiErrorMessage(parsed));
  }
  return {
    status: result.status,
    headers: result.headers,
    text: successText(result.text),
    errorMessage: undefined,
    errorBody: undefined,
  };
}

function upstreamError(
  status: number,
  message: string,
  headers?: Record<string, string>,
): MockReply {
  return {
    status,
    headers: { 'x-request-id': 'req_upstream_1', ...headers },
    body: openaiError(status, message),
  };
}

function includeUsage(seen: SeenRequest | undefined): boolean {
  if (seen === undefined) return false;
  const body = JSON.parse(seen.body.toString()) as { stream_options?: { include_usage?: boolean } };
  return body.stream_options?.include_usage === true;
}

export const chatProfile: DialectProfile = {
  name: 'chat',
  provider: { name: 'openai', type: 'openai' },
  route: '/openai/v1/chat/completions',
  success: (streaming, seen) =>
    streaming
      ? { sse: chatStreamEvents(SUCCESS_TEXT, includeUsage(seen)) }
      : { status: 200, body: chatCompletion(SUCCESS_TEXT) },
  upstreamError,
  midStreamError: () => ({
    sse: [...chatStreamEvents(SUCCESS_TEXT).slice(0, 2), chatStreamError()],
  }),
  midStreamDrop: () => ({ sse: chatStreamEvents(SUCCESS_TEXT).slice(0, 2), then: 'drop' }),
  requestBody: (streaming) => ({
    model: 'gpt-test',
    stream: streaming,
    messages: [{ role: 'user', content: 'Hi' }],
  }),
  errorMessageOf: openaiErrorMessage,
  isStreamError: (event) =>
    event?.event === undefined &&
    event !== undefined &&
    openaiErrorMessage(JSON.parse(event.data)) !== undefined,

  async callSdk(options) {
    const client = sdkClient(options);
    const params = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'Hi' }] };
    try {
      if (!options.streaming) {
        const { data, response } = await client.chat.completions.create(params).withResponse();
        return {
          status: response.status,
          headers: headersToRecord(response.headers),
          text: data.choices[0]?.message.content ?? undefined,
          errorMessage: undefined,
          errorBody: undefined,
        };
      }
      const { data: stream, response } = await client.chat.completions
        .create({ ...params, stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return {
        status: response.status,
        headers: headersToRecord(response.headers),
        text,
        errorMessage: undefined,
        errorBody: undefined,
      };
    } catch (error) {
      return sdkError(error);
    }
  },

  async callRaw(options, body) {
    const result = await rawCall(
      '/openai/v1/chat/completions',
      options,
      body ?? JSON.stringify(chatProfile.requestBody(options.streaming)),
    );
    return rawOutcome(result, (text) => {
      if (!options.streaming)
        return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]
          ?.message.content;
      let streamed = '';
      for (const line of text.split('\n')) {
        if (!line.startsWith('data: {')) continue;
        streamed +=
          (JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]
            ?.delta.content ?? '';
      }
      return streamed;
    });
  },

  async streamWithSdk(options) {
    let textBeforeError = '';
    try {
      const stream = await sdkClient(options).chat.completions.create({
        model: 'gpt-test',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      for await (const chunk of stream) textBeforeError += chunk.choices[0]?.delta.content ?? '';
    } catch (error) {
      return { textBeforeError, error };
    }
    return { textBeforeError, error: undefined };
  },
};

function responseText(output: unknown): string | undefined {
  for (const item of output as { type: string; content?: { type: string; text: string }[] }[]) {
    if (item.type === 'message') return item.content?.find((c) => c.type === 'output_text')?.text;
  }
  return undefined;
}

const responsesEvents = responsesStreamEvents(SUCCESS_TEXT);

export const responsesProfile: DialectProfile = {
  name: 'responses',
  provider: { name: 'openai', type: 'openai' },
  route: '/openai/v1/responses',
  success: (streaming) =>
    streaming ? { sse: responsesEvents } : { status: 200, body: responseObject(SUCCESS_TEXT) },
  upstreamError,
  midStreamError: () => ({ sse: [...responsesEvents.slice(0, 5), responsesStreamError(5)] }),
  midStreamDrop: () => ({ sse: responsesEvents.slice(0, 5), then: 'drop' }),
  requestBody: (streaming) => ({ model: 'gpt-test', stream: streaming, input: 'Hi' }),
  errorMessageOf: openaiErrorMessage,
  isStreamError: (event: ParsedEvent | undefined) => {
    if (event?.event !== 'error') return false;
    const data = JSON.parse(event.data) as {
      type?: string;
      message?: string;
      sequence_number?: number;
    };
    return (
      data.type === 'error' &&
      typeof data.message === 'string' &&
      typeof data.sequence_number === 'number'
    );
  },

  async callSdk(options) {
    const client = sdkClient(options);
    try {
      if (!options.streaming) {
        const { data, response } = await client.responses
          .create({ model: 'gpt-test', input: 'Hi' })
          .withResponse();
        return {
          status: response.status,
          headers: headersToRecord(response.headers),
          text: data.output_text,
          errorMessage: undefined,
          errorBody: undefined,
        };
      }
      const { data: stream, response } = await client.responses
        .create({ model: 'gpt-test', input: 'Hi', stream: true })
        .withResponse();
      let text = '';
      for await (const event of stream)
        if (event.type === 'response.output_text.delta') text += event.delta;
      return {
        status: response.status,
        headers: headersToRecord(response.headers),
        text,
        errorMessage: undefined,
        errorBody: undefined,
      };
    } catch (error) {
      return sdkError(error);
    }
  },

  async callRaw(options, body) {
    const result = await rawCall(
      '/openai/v1/responses',
      options,
      body ?? JSON.stringify(responsesProfile.requestBody(options.streaming)),
    );
    return rawOutcome(result, (text) => {
      if (!options.streaming) return responseText((JSON.parse(text) as { output: unknown }).output);
      let streamed = '';
      for (const line of text.split('\n')) {
        if (!line.startsWith('data: {')) continue;
        const event = JSON.parse(line.slice(6)) as { type: string; delta?: string };
        if (event.type === 'response.output_text.delta') streamed += event.delta ?? '';
      }
      return streamed;
    });
  },

  async streamWithSdk(options) {
    let textBeforeError = '';
    try {
      const stream = sdkClient(options).responses.stream({ model: 'gpt-test', input: 'Hi' });
      for await (const event of stream)
        if (event.type === 'response.output_text.delta') textBeforeError += event.delta;
      await stream.finalResponse();
    } catch (error) {
      return { textBeforeError, error };
    }
    return { textBeforeError, error: undefined };
  },
};
