import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ToolOutcome, Turn } from '../agentic.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import { emptyUsage } from '../token-usage.js';
import { messageBody } from '../../../test/support/anthropic-agentic-script.js';
import { ANTHROPIC_AGENTIC } from './agentic.js';

function json(text: string | Buffer): JsonObjectText {
  const scan = scanJson(Buffer.isBuffer(text) ? text : Buffer.from(text));
  if (scan.kind !== 'object') throw new Error('not a JSON object');
  return scan.object;
}

/** A client body as Claude Code writes it: fields we do not know, odd spacing, escapes. */
const clientBody = `{
  "model": "claude-test",
  "max_tokens": 64000,
  "temperature": null,
  "messages": [
    {"role": "user", "content": [{"type": "text", "text": "Find the answer \\u00e9 \\"quoted\\"", "cache_control": {"type": "ephemeral"}}]}
  ] ,
  "tools": [{"name": "Bash", "input_schema": {"type": "object"}}],
  "metadata": {"user_id": "{\\"session\\":\\"s1\\"}"},
  "stream": true
}`;

const injected = {
  id: 'toolu_inj1',
  name: 'mcp_docs__search',
  arguments: '{"q":"answer"}',
};

function turnWith(replay: unknown): Turn {
  return {
    injectedCalls: [injected],
    clientCalls: [],
    usage: emptyUsage(),
    replay: Buffer.from(JSON.stringify(replay)),
  };
}

const replay = {
  role: 'assistant',
  content: [
    { type: 'text', text: 'Let me look.' },
    { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 'answer' } },
  ],
};

describe('Anthropic agentic continuation', () => {
  it('appends the turn and the results to messages, every other byte as it was', () => {
    const previous = json(clientBody);
    const results: ToolOutcome[] = [{ call: injected, text: 'It is 42.', isError: false }];
    const next = ANTHROPIC_AGENTIC.continuation(previous, turnWith(replay), results);

    const close = clientBody.indexOf('] ,');
    const text = next.toString();
    expect(text.startsWith(clientBody.slice(0, close))).toBe(true);
    expect(text.endsWith(clientBody.slice(close))).toBe(true);

    const original = JSON.parse(clientBody) as Record<string, unknown>;
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toEqual({
      ...original,
      messages: [
        ...(original['messages'] as unknown[]),
        replay,
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_inj1', content: 'It is 42.' }],
        },
      ],
    });
  });

  it('marks error results with is_error and answers several calls in their order', () => {
    const second = { id: 'toolu_inj2', name: 'mcp_tickets__get', arguments: '{}' };
    const next = ANTHROPIC_AGENTIC.continuation(json(clientBody), turnWith(replay), [
      { call: injected, text: 'Error: the server is down', isError: true },
      { call: second, text: 'ticket 7: open', isError: false },
    ]);
    const messages = (JSON.parse(next.toString()) as { messages: unknown[] }).messages;
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_inj1',
          content: 'Error: the server is down',
          is_error: true,
        },
        { type: 'tool_result', tool_use_id: 'toolu_inj2', content: 'ticket 7: open' },
      ],
    });
  });

  it('leaves out the content of an empty result', () => {
    const next = ANTHROPIC_AGENTIC.continuation(json(clientBody), turnWith(replay), [
      { call: injected, text: '', isError: false },
    ]);
    const messages = (JSON.parse(next.toString()) as { messages: unknown[] }).messages;
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_inj1' }],
    });
  });

  it('continues a continuation, and an empty messages array', () => {
    const results: ToolOutcome[] = [{ call: injected, text: 'x', isError: false }];
    const once = ANTHROPIC_AGENTIC.continuation(json(clientBody), turnWith(replay), results);
    const twice = ANTHROPIC_AGENTIC.continuation(json(once), turnWith(replay), results);
    expect((JSON.parse(twice.toString()) as { messages: unknown[] }).messages).toHaveLength(5);

    const empty = ANTHROPIC_AGENTIC.continuation(
      json('{"model":"m","messages":[ ]}'),
      turnWith(replay),
      results,
    );
    expect(JSON.parse(empty.toString())).toEqual({
      model: 'm',
      messages: [
        replay,
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_inj1', content: 'x' }],
        },
      ],
    });
  });

  it('continues from a blocking turn read by the codec', () => {
    const assembler = ANTHROPIC_AGENTIC.blocking((name) => name.startsWith('mcp_'));
    const turn = assembler.read(
      json(
        JSON.stringify(
          messageBody({
            id: 'msg_1',
            blocks: [
              { type: 'thinking', thinking: 'Search first.', signature: 'sig' },
              { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 1 } },
              { type: 'tool_use', id: 'toolu_client', name: 'Bash', input: {} },
            ],
            stopReason: 'tool_use',
            usage: { input_tokens: 1, output_tokens: 1 },
          }),
        ),
      ),
    );
    const next = ANTHROPIC_AGENTIC.continuation(json(clientBody), turn, [
      { call: turn.injectedCalls[0] ?? injected, text: 'found', isError: false },
    ]);
    const messages = (JSON.parse(next.toString()) as { messages: unknown[] }).messages;
    expect(messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Search first.', signature: 'sig' },
          { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 1 } },
        ],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_inj1', content: 'found' }],
      },
    ]);
  });

  it('refuses a body whose messages is not an array', () => {
    expect(() =>
      ANTHROPIC_AGENTIC.continuation(json('{"model":"m","messages":{}}'), turnWith(replay), []),
    ).toThrow(GatewayError);
  });
});
