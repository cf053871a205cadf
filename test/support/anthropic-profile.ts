import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk';
import {
  anthropicError,
  anthropicMessage,
  anthropicStreamError,
  anthropicStreamEvents,
} from './anthropic-fixtures.js';
import { SUCCESS_TEXT, type CallOptions, type DialectProfile } from './profile.js';

const anthropicErrorMessage = (body: unknown): string | undefined => {
  const error = body as { type?: unknown; error?: { message?: unknown } } | undefined;
  return error?.type === 'error' && typeof error.error?.message === 'string'
    ? error.error.message
    : undefined;
};

// A guard rather than a bare instanceof, which would type the error's fields as any.
function isAnthropicApiError(error: unknown): error is AnthropicAPIError {
  return error instanceof AnthropicAPIError;
}

function sdkClient({ gatewayUrl, token, byokKey }: CallOptions): Anthropic {
  return new Anthropic({
    baseURL: `${gatewayUrl}/anthropic`,
    apiKey: byokKey ?? token,
    maxRetries: 0,
    defaultHeaders: byokKey === undefined ? {} : { 'X-Switchyard-Token': token },
  });
}

const params = {
  model: 'claude-test',
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};

async function* deltas(stream: AsyncIterable<Anthropic.MessageStreamEvent>): AsyncIterable<string> {
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
      yield event.delta.text;
  }
}

export const messagesProfile: DialectProfile = {
  name: 'messages',
  provider: { name: 'anthropic', type: 'anthropic' },
  route: '/anthropic/v1/messages',
  success: (streaming) =>
    streaming
      ? { sse: anthropicStreamEvents(SUCCESS_TEXT) }
      : { status: 200, body: anthropicMessage(SUCCESS_TEXT) },
  upstreamError: (status, message, headers) => ({
    status,
    headers: { 'request-id': 'req_upstream_1', ...headers },
    body: anthropicError(
      status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'authentication_error',
      message,
    ),
  }),
  midStreamError: () => ({
    sse: [...anthropicStreamEvents(SUCCESS_TEXT).slice(0, 4), anthropicStreamError()],
  }),
  midStreamDrop: () => ({ sse: anthropicStreamEvents(SUCCESS_TEXT).slice(0, 4), then: 'drop' }),
  requestBody: (streaming) => ({ ...params, stream: streaming }),
  errorMessageOf: anthropicErrorMessage,
  isStreamError: (event) =>
    event?.event === 'error' && anthropicErrorMessage(JSON.parse(event.data)) !== undefined,
  textOfBody: (body) => (body as { content: { text?: string }[] }).content[0]?.text,
  textOfEvent: (data) => {
    const event = data as { type: string; delta?: { type: string; text?: string } };
    return event.type === 'content_block_delta' && event.delta?.type === 'text_delta'
      ? event.delta.text
      : undefined;
  },
  async sdkBlocking(options) {
    const { data, response } = await sdkClient(options).messages.create(params).withResponse();
    const block = data.content[0];
    return {
      status: response.status,
      headers: response.headers,
      data: block?.type === 'text' ? block.text : undefined,
    };
  },
  async sdkStream(options) {
    const { data, response } = await sdkClient(options)
      .messages.create({ ...params, stream: true })
      .withResponse();
    return { status: response.status, headers: response.headers, data: deltas(data) };
  },
  sdkErrorBody: (error) =>
    isAnthropicApiError(error)
      ? { status: error.status ?? 0, headers: error.headers, body: error.error }
      : undefined,
  rawHeaders: ({ token, byokKey }) => ({
    'anthropic-version': '2023-06-01',
    'x-api-key': byokKey ?? token,
    ...(byokKey === undefined ? {} : { 'x-switchyard-token': token }),
  }),
};
