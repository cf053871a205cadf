import Anthropic, { APIError as AnthropicAPIError } from '@anthropic-ai/sdk';
import { request } from 'undici';
import {
  anthropicError,
  anthropicMessage,
  anthropicStreamError,
  anthropicStreamEvents,
} from './anthropic-fixtures.js';
import { headersToRecord, type ClientOutcome } from './client-outcome.js';
import { errorOutcome, SUCCESS_TEXT, type DialectProfile } from './profile.js';

const anthropicErrorMessage = (body: unknown): string | undefined => {
  const error = body as
    { type?: unknown; error?: { type?: unknown; message?: unknown } } | undefined;
  return error?.type === 'error' && typeof error.error?.message === 'string'
    ? error.error.message
    : undefined;
};

// A guard rather than a bare instanceof, which would type the error's fields as any.
function isAnthropicApiError(error: unknown): error is AnthropicAPIError {
  return error instanceof AnthropicAPIError;
}

function anthropicSdkError(error: AnthropicAPIError): ClientOutcome {
  return errorOutcome(
    error.status ?? 0,
    headersToRecord(error.headers),
    error.error,
    anthropicErrorMessage(error.error),
  );
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
  requestBody: (streaming) => ({
    model: 'claude-test',
    max_tokens: 64,
    stream: streaming,
    messages: [{ role: 'user', content: 'Hi' }],
  }),
  errorMessageOf: anthropicErrorMessage,
  isStreamError: (event) => {
    if (event?.event !== 'error') return false;
    return anthropicErrorMessage(JSON.parse(event.data)) !== undefined;
  },

  async streamWithSdk({ gatewayUrl, token }) {
    const client = new Anthropic({
      baseURL: `${gatewayUrl}/anthropic`,
      apiKey: token,
      maxRetries: 0,
    });
    let textBeforeError = '';
    try {
      const stream = await client.messages.create({
        model: 'claude-test',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          textBeforeError += event.delta.text;
      }
    } catch (error) {
      return { textBeforeError, error };
    }
    return { textBeforeError, error: undefined };
  },

  async callSdk({ gatewayUrl, token, streaming, byokKey }) {
    const client = new Anthropic({
      baseURL: `${gatewayUrl}/anthropic`,
      apiKey: byokKey ?? token,
      maxRetries: 0,
      defaultHeaders: byokKey === undefined ? {} : { 'X-Switchyard-Token': token },
    });
    const params = {
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    try {
      if (!streaming) {
        const { data, response } = await client.messages.create(params).withResponse();
        const block = data.content[0];
        return {
          status: response.status,
          headers: headersToRecord(response.headers),
          text: block?.type === 'text' ? block.text : undefined,
          errorMessage: undefined,
          errorBody: undefined,
        };
      }
      const { data: stream, response } = await client.messages
        .create({ ...params, stream: true })
        .withResponse();
      let text = '';
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
          text += event.delta.text;
      }
      return {
        status: response.status,
        headers: headersToRecord(response.headers),
        text,
        errorMessage: undefined,
        errorBody: undefined,
      };
    } catch (error) {
      if (isAnthropicApiError(error)) return anthropicSdkError(error);
      throw error;
    }
  },

  async callRaw({ gatewayUrl, token, streaming, byokKey }, body) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': byokKey ?? token,
    };
    if (byokKey !== undefined) headers['x-switchyard-token'] = token;
    const response = await request(`${gatewayUrl}/anthropic/v1/messages`, {
      method: 'POST',
      headers,
      body: body ?? JSON.stringify(messagesProfile.requestBody(streaming)),
    });
    const text = await response.body.text();
    const outHeaders = headersToRecord(response.headers);
    if (response.statusCode >= 400) {
      const parsed = JSON.parse(text) as unknown;
      return errorOutcome(response.statusCode, outHeaders, parsed, anthropicErrorMessage(parsed));
    }
    if (!streaming) {
      const message = JSON.parse(text) as { content: { text: string }[] };
      return {
        status: response.statusCode,
        headers: outHeaders,
        text: message.content[0]?.text,
        errorMessage: undefined,
        errorBody: undefined,
      };
    }
    let streamed = '';
    for (const match of text.matchAll(/"text_delta","text":"([^"]*)"/g)) streamed += match[1] ?? '';
    return {
      status: response.statusCode,
      headers: outHeaders,
      text: streamed,
      errorMessage: undefined,
      errorBody: undefined,
    };
  },
};
