/** What the Anthropic Messages API sends, as recorded shapes, for the scripted upstream. */

export const anthropicUsage = {
  input_tokens: 25,
  output_tokens: 12,
  cache_read_input_tokens: 7,
  cache_creation_input_tokens: 3,
};

export function anthropicMessage(text = 'Hello from upstream'): Record<string, unknown> {
  return {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    type: 'message',
    role: 'assistant',
    model: 'claude-test',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage,
  };
}

const event = (type: string, data: unknown): string =>
  `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** A complete stream; `text` arrives in two deltas. */
export function anthropicStreamEvents(text = 'Hello from upstream'): string[] {
  const half = Math.ceil(text.length / 2);
  return [
    event('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 25,
          output_tokens: 1,
          cache_read_input_tokens: 7,
          cache_creation_input_tokens: 3,
        },
      },
    }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    event('ping', { type: 'ping' }),
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: text.slice(0, half) },
    }),
    event('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: text.slice(half) },
    }),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 12 },
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

export function anthropicStreamError(type = 'overloaded_error', message = 'Overloaded'): string {
  return event('error', { type: 'error', error: { type, message } });
}

export function anthropicError(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } };
}

/** A stream whose answer is one client-side tool call; its input arrives in two JSON deltas. */
export function anthropicToolUseStreamEvents(toolUse: {
  id: string;
  name: string;
  input: Record<string, unknown>;
}): string[] {
  const json = JSON.stringify(toolUse.input);
  const half = Math.ceil(json.length / 2);
  return [
    event('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_01ToolUseStreamFixture0001',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 25, output_tokens: 1 },
      },
    }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: {} },
    }),
    ...[json.slice(0, half), json.slice(half)].map((partial) =>
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: partial },
      }),
    ),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 30 },
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}
