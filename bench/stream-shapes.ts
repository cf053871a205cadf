import { anthropicUsage } from '../test/support/anthropic-fixtures.js';
import { chatUsage, responseObject } from '../test/support/openai-fixtures.js';
import type { DialectId } from './dialects.js';

/**
 * One streamed answer in a dialect's wire format, in the shapes of
 * test/support/*-fixtures.ts, with as many text deltas as the plan asks for.
 */
export interface StreamShape {
  /** Events sent at once, before the first delta. */
  prelude(): string[];
  /** One text delta. */
  delta(text: string): string;
  /** Events that close the stream after the last delta. */
  tail(): string[];
}

const sse = (type: string, data: unknown): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

function anthropicShape(deltas: number): StreamShape {
  return {
    prelude: () => [
      sse('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...anthropicUsage, output_tokens: 1 },
        },
      }),
      sse('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      sse('ping', { type: 'ping' }),
    ],
    delta: (text) =>
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    tail: () => [
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: deltas },
      }),
      sse('message_stop', { type: 'message_stop' }),
    ],
  };
}

function chatShape(includeUsage: boolean): StreamShape {
  const base = {
    id: 'chatcmpl-abc123',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'gpt-5',
    system_fingerprint: 'fp_test',
  };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ ...base, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  return {
    prelude: () => [
      chunk([
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ]),
    ],
    delta: (text) =>
      chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]),
    tail: () => [
      chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
      ...(includeUsage ? [chunk([], { usage: chatUsage })] : []),
      'data: [DONE]\n\n',
    ],
  };
}

function responsesShape(): StreamShape {
  let sequence = 0;
  const event = (body: Record<string, unknown>): string =>
    sse(String(body['type']), { ...body, sequence_number: sequence++ });
  const text = 'streamed answer';
  const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress' };
  const part = { type: 'output_text', text: '', annotations: [] };
  const ids = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  const done = {
    ...message,
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  return {
    prelude: () => [
      event({ type: 'response.created', response: responseObject(text, 'in_progress') }),
      event({ type: 'response.in_progress', response: responseObject(text, 'in_progress') }),
      event({
        type: 'response.output_item.added',
        output_index: 0,
        item: { ...message, content: [] },
      }),
      event({ type: 'response.content_part.added', ...ids, part }),
    ],
    delta: (delta) => event({ type: 'response.output_text.delta', ...ids, delta }),
    tail: () => [
      event({ type: 'response.output_text.done', ...ids, text }),
      event({ type: 'response.content_part.done', ...ids, part: { ...part, text } }),
      event({ type: 'response.output_item.done', output_index: 0, item: done }),
      event({ type: 'response.completed', response: { ...responseObject(text), output: [done] } }),
    ],
  };
}

export function streamShape(
  dialect: DialectId,
  deltas: number,
  includeUsage: boolean,
): StreamShape {
  switch (dialect) {
    case 'messages':
      return anthropicShape(deltas);
    case 'chat':
      return chatShape(includeUsage);
    case 'responses':
      return responsesShape();
  }
}

/** The last event of a complete stream, as the probe recognises it. */
export const STREAM_END: Readonly<Record<DialectId, string>> = {
  messages: 'event: message_stop',
  chat: 'data: [DONE]',
  responses: 'event: response.completed',
};
