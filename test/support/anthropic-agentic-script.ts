/**
 * Synthetic Messages answers for the agentic codec's tests, blocking and streamed, in the
 * shapes the API sends (see anthropic-fixtures.ts): text, thinking, redacted thinking and
 * tool_use blocks; tool input streamed as an empty partial_json then two halves, as the API
 * does.
 */

export type ScriptedBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'thinking'; readonly thinking: string; readonly signature: string }
  | { readonly type: 'redacted_thinking'; readonly data: string }
  | {
      readonly type: 'tool_use';
      readonly id: string;
      readonly name: string;
      readonly input: Record<string, unknown>;
    };

export interface ScriptedUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_read_input_tokens?: number;
  readonly cache_creation_input_tokens?: number;
}

export interface ScriptedAnswer {
  readonly id: string;
  readonly blocks: readonly ScriptedBlock[];
  readonly stopReason: 'end_turn' | 'tool_use' | 'max_tokens';
  readonly usage: ScriptedUsage;
}

export function sseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The blocking answer. */
export function messageBody(answer: ScriptedAnswer): Record<string, unknown> {
  return {
    id: answer.id,
    type: 'message',
    role: 'assistant',
    model: 'claude-test',
    content: answer.blocks,
    stop_reason: answer.stopReason,
    stop_sequence: null,
    usage: answer.usage,
  };
}

function halves(text: string): [string, string] {
  const half = Math.ceil(text.length / 2);
  return [text.slice(0, half), text.slice(half)];
}

function blockEvents(block: ScriptedBlock, index: number): string[] {
  const delta = (d: Record<string, unknown>): string =>
    sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: d });
  const start = (contentBlock: Record<string, unknown>): string =>
    sseEvent('content_block_start', {
      type: 'content_block_start',
      index,
      content_block: contentBlock,
    });
  const stop = sseEvent('content_block_stop', { type: 'content_block_stop', index });
  switch (block.type) {
    case 'text':
      return [
        start({ type: 'text', text: '' }),
        ...halves(block.text).map((text) => delta({ type: 'text_delta', text })),
        stop,
      ];
    case 'thinking':
      return [
        start({ type: 'thinking', thinking: '', signature: '' }),
        ...halves(block.thinking).map((thinking) => delta({ type: 'thinking_delta', thinking })),
        delta({ type: 'signature_delta', signature: block.signature }),
        stop,
      ];
    case 'redacted_thinking':
      return [start({ type: 'redacted_thinking', data: block.data }), stop];
    case 'tool_use':
      return [
        start({ type: 'tool_use', id: block.id, name: block.name, input: {} }),
        ...['', ...halves(JSON.stringify(block.input))].map((partial_json) =>
          delta({ type: 'input_json_delta', partial_json }),
        ),
        stop,
      ];
  }
}

/** The streamed answer, with a ping after message_start as the API sends. */
export function messageStream(answer: ScriptedAnswer): string[] {
  const { output_tokens, ...startUsage } = answer.usage;
  return [
    sseEvent('message_start', {
      type: 'message_start',
      message: {
        id: answer.id,
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...startUsage, output_tokens: Math.min(1, output_tokens) },
      },
    }),
    sseEvent('ping', { type: 'ping' }),
    ...answer.blocks.flatMap(blockEvents),
    sseEvent('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: answer.stopReason, stop_sequence: null },
      usage: { output_tokens },
    }),
    sseEvent('message_stop', { type: 'message_stop' }),
  ];
}
