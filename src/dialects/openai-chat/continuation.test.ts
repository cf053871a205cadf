import { describe, expect, it } from 'vitest';
import type { ToolOutcome, Turn } from '../agentic.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import { CHAT_AGENTIC } from './agentic.js';

function parsed(raw: string): JsonObjectText {
  const scan = scanJson(Buffer.from(raw));
  if (scan.kind !== 'object') throw new Error('not an object');
  return scan.object;
}

const lookup = { id: 'call_lookup', name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' };
const search = { id: 'call_search', name: 'mcp_docs__search', arguments: '{"q":"sla"}' };

function turnOf(replay: Record<string, unknown>): Turn {
  return {
    injectedCalls: [lookup, search],
    clientCalls: [],
    usage: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0, reasoning: 0 },
    replay: Buffer.from(JSON.stringify(replay)),
  };
}

const replay = {
  role: 'assistant',
  content: null,
  tool_calls: [lookup, search].map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  })),
};

const results: ToolOutcome[] = [
  { call: lookup, text: 'T-1: closed', isError: false },
  { call: search, text: 'search backend unreachable', isError: true },
];

// A client body as written by hand: spacing, key order and unicode escapes must survive.
const previous = `{
  "model": "gpt-test",
  "messages": [
    {"role": "system", "content": "Be brief \\u00e9"},
    {"role": "user", "content": "Status of T-1?"}
  ],
  "tools": [{"type": "function", "function": {"name": "read_file", "parameters": {}}}],
  "temperature": 0.2, "stream": true
}`;

describe('Chat continuation', () => {
  it('appends the assistant turn and one tool message per result, every other byte kept', () => {
    const next = CHAT_AGENTIC.continuation(parsed(previous), turnOf(replay), results).toString();
    const closing = previous.indexOf('\n  ],') + '\n  '.length;
    expect(next.startsWith(previous.slice(0, closing))).toBe(true);
    expect(next.endsWith(previous.slice(closing))).toBe(true);
    const body = JSON.parse(next) as { messages: unknown[]; temperature: number };
    expect(body.temperature).toBe(0.2);
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief é' },
      { role: 'user', content: 'Status of T-1?' },
      replay,
      { role: 'tool', tool_call_id: 'call_lookup', content: 'T-1: closed' },
      {
        role: 'tool',
        tool_call_id: 'call_search',
        content: 'Error: search backend unreachable',
      },
    ]);
  });

  it('does not prefix an error text that already says so', () => {
    const next = CHAT_AGENTIC.continuation(parsed(previous), turnOf(replay), [
      { call: lookup, text: 'Error: tool timed out after 30s', isError: true },
    ]);
    const body = JSON.parse(next.toString()) as { messages: { content: unknown }[] };
    expect(body.messages.at(-1)?.content).toBe('Error: tool timed out after 30s');
  });

  it('appends to an empty messages array without a leading comma', () => {
    const next = CHAT_AGENTIC.continuation(
      parsed('{"model":"m","messages":[ ]}'),
      turnOf(replay),
      results.slice(0, 1),
    );
    const body = JSON.parse(next.toString()) as { messages: unknown[] };
    expect(body.messages).toHaveLength(2);
  });

  it('chains: a continuation is the previous body of the next one', () => {
    const once = CHAT_AGENTIC.continuation(parsed(previous), turnOf(replay), results);
    const twice = CHAT_AGENTIC.continuation(parsed(once.toString()), turnOf(replay), results);
    const body = JSON.parse(twice.toString()) as { messages: { role: string }[] };
    expect(body.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'tool',
      'assistant',
      'tool',
      'tool',
    ]);
  });

  it('refuses a body whose messages is not an array', () => {
    expect(() =>
      CHAT_AGENTIC.continuation(parsed('{"model":"m","messages":"hi"}'), turnOf(replay), results),
    ).toThrow(/messages/);
  });
});
