import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BlockingAssembler, Turn } from '../agentic.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import {
  messageBody,
  type ScriptedAnswer,
} from '../../../test/support/anthropic-agentic-script.js';
import { ANTHROPIC_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');

function json(text: string | Buffer): JsonObjectText {
  const scan = scanJson(Buffer.isBuffer(text) ? text : Buffer.from(text));
  if (scan.kind !== 'object') throw new Error('not a JSON object');
  return scan.object;
}

/** The answer as the upstream would send it: pretty-printed, with a field of the future. */
function upstreamBody(answer: ScriptedAnswer): JsonObjectText {
  return json(JSON.stringify({ ...messageBody(answer), future_field: { kept: true } }, null, 2));
}

function readAll(answers: readonly ScriptedAnswer[]): {
  assembler: BlockingAssembler;
  turns: Turn[];
  bodies: JsonObjectText[];
} {
  const assembler = ANTHROPIC_AGENTIC.blocking(isInjected);
  const bodies = answers.map(upstreamBody);
  const turns = bodies.map((body) => assembler.read(body));
  return { assembler, turns, bodies };
}

const lookUp: ScriptedAnswer = {
  id: 'msg_first',
  blocks: [
    { type: 'thinking', thinking: 'I should search.', signature: 'sig-1' },
    { type: 'text', text: 'Let me look that up.' },
    { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 'answer' } },
  ],
  stopReason: 'tool_use',
  usage: {
    input_tokens: 100,
    output_tokens: 20,
    cache_read_input_tokens: 50,
    cache_creation_input_tokens: 10,
  },
};

const finalText: ScriptedAnswer = {
  id: 'msg_second',
  blocks: [{ type: 'text', text: 'The answer is 42.' }],
  stopReason: 'end_turn',
  usage: {
    input_tokens: 150,
    output_tokens: 30,
    cache_read_input_tokens: 60,
    cache_creation_input_tokens: 0,
  },
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Anthropic agentic blocking: a single final iteration', () => {
  it('answers with the very bytes the upstream sent, without decoding the content', () => {
    const parse = vi.spyOn(JSON, 'parse');
    const { assembler, turns, bodies } = readAll([finalText]);
    expect(parse.mock.calls.some(([text]) => text.includes('The answer is 42.'))).toBe(false);
    expect(assembler.answer()).toBe(bodies[0]?.raw);
    expect(turns[0]).toEqual({
      injectedCalls: [],
      clientCalls: [],
      usage: { input: 150, output: 30, cacheRead: 60, cacheCreation: 0, reasoning: 0 },
      replay: Buffer.alloc(0),
    });
  });

  it('reports a client tool call and still answers with the upstream bytes', () => {
    const { assembler, turns, bodies } = readAll([
      {
        id: 'msg_client',
        blocks: [
          { type: 'text', text: 'Listing.' },
          { type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'ls' } },
        ],
        stopReason: 'tool_use',
        usage: { input_tokens: 5, output_tokens: 6 },
      },
    ]);
    expect(turns[0]?.injectedCalls).toEqual([]);
    expect(turns[0]?.clientCalls).toEqual([
      { id: 'toolu_bash', name: 'Bash', arguments: '{"command":"ls"}' },
    ]);
    expect(assembler.answer()).toBe(bodies[0]?.raw);
  });

  it('does not mistake the words "tool_use" in a text for a call', () => {
    const { turns } = readAll([{ ...finalText, blocks: [{ type: 'text', text: 'a "tool_use"' }] }]);
    expect(turns[0]?.injectedCalls).toEqual([]);
    expect(turns[0]?.clientCalls).toEqual([]);
  });

  it('leaves server tools (run by the API itself) to the client', () => {
    const assembler = ANTHROPIC_AGENTIC.blocking(isInjected);
    const body = json(
      JSON.stringify({
        ...messageBody(finalText),
        content: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'text', text: 'Found it.' },
        ],
      }),
    );
    const turn = assembler.read(body);
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([]);
    expect(assembler.answer()).toBe(body.raw);
  });
});

describe('Anthropic agentic blocking: several iterations make one answer', () => {
  it('answers with every iteration’s visible content, the first id and summed usage', () => {
    const { assembler, turns, bodies } = readAll([lookUp, finalText]);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'toolu_inj1', name: 'mcp_docs__search', arguments: '{"q":"answer"}' },
    ]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should search.', signature: 'sig-1' },
        { type: 'text', text: 'Let me look that up.' },
        { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 'answer' } },
      ],
    });
    expect(turns[1]?.usage).toEqual({
      input: 150,
      output: 30,
      cacheRead: 60,
      cacheCreation: 0,
      reasoning: 0,
    });

    const answer = assembler.answer();
    expect(answer.toString()).not.toMatch(/mcp_|toolu_/);
    expect(JSON.parse(answer.toString())).toEqual({
      id: 'msg_first',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [
        { type: 'thinking', thinking: 'I should search.', signature: 'sig-1' },
        { type: 'text', text: 'Let me look that up.' },
        { type: 'text', text: 'The answer is 42.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 250,
        output_tokens: 50,
        cache_read_input_tokens: 110,
        cache_creation_input_tokens: 10,
      },
      future_field: { kept: true },
    });
    // Outside the three members it rewrote, the final body's bytes are as they came.
    const final = bodies[1]?.raw.toString() ?? '';
    const tail = final.slice(final.indexOf('"stop_reason"'), final.indexOf('"usage"'));
    expect(answer.toString()).toContain(tail);
    expect(answer.toString()).toContain('"future_field": {\n    "kept": true\n  }');
  });

  it('runs three iterations with two injected calls in one turn', () => {
    const { assembler, turns } = readAll([
      {
        id: 'msg_one',
        blocks: [
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'toolu_a', name: 'mcp_docs__search', input: { q: 'a' } },
          { type: 'tool_use', id: 'toolu_b', name: 'mcp_tickets__get', input: { id: 7 } },
        ],
        stopReason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
      {
        id: 'msg_two',
        blocks: [
          { type: 'text', text: 'Checking one more.' },
          { type: 'tool_use', id: 'toolu_c', name: 'mcp_docs__fetch', input: {} },
        ],
        stopReason: 'tool_use',
        usage: { input_tokens: 20, output_tokens: 6 },
      },
      {
        id: 'msg_three',
        blocks: [{ type: 'text', text: 'All done.' }],
        stopReason: 'end_turn',
        usage: { input_tokens: 30, output_tokens: 7 },
      },
    ]);
    expect(turns.map((turn) => turn.injectedCalls.map((call) => call.arguments))).toEqual([
      ['{"q":"a"}', '{"id":7}'],
      ['{}'],
      [],
    ]);
    const answer = JSON.parse(assembler.answer().toString()) as Record<string, unknown>;
    expect(answer['id']).toBe('msg_one');
    expect(answer['content']).toEqual([
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Checking one more.' },
      { type: 'text', text: 'All done.' },
    ]);
    // No iteration reported cache counts: the answer does not invent them.
    expect(answer['usage']).toEqual({ input_tokens: 60, output_tokens: 18 });
  });

  it('drops the client calls of a mixed turn and keeps those of the final one', () => {
    const { assembler, turns } = readAll([
      {
        id: 'msg_mixed',
        blocks: [
          { type: 'text', text: '' },
          { type: 'tool_use', id: 'toolu_early', name: 'Bash', input: { command: 'pwd' } },
          { type: 'tool_use', id: 'toolu_inj', name: 'mcp_docs__search', input: { q: 'x' } },
        ],
        stopReason: 'tool_use',
        usage: { input_tokens: 1, output_tokens: 2 },
      },
      {
        id: 'msg_final',
        blocks: [
          { type: 'text', text: 'Please run it.' },
          { type: 'tool_use', id: 'toolu_late', name: 'Bash', input: { command: 'make' } },
        ],
        stopReason: 'tool_use',
        usage: { input_tokens: 3, output_tokens: 4 },
      },
    ]);
    expect(turns[0]?.injectedCalls.map((call) => call.id)).toEqual(['toolu_inj']);
    expect(turns[0]?.clientCalls.map((call) => call.id)).toEqual(['toolu_early']);
    // The empty text block is not sent back: the API refuses empty text blocks.
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_inj', name: 'mcp_docs__search', input: { q: 'x' } }],
    });
    expect(turns[1]?.clientCalls.map((call) => call.id)).toEqual(['toolu_late']);
    const answer = JSON.parse(assembler.answer().toString()) as Record<string, unknown>;
    expect(answer['content']).toEqual([
      { type: 'text', text: '' },
      { type: 'text', text: 'Please run it.' },
      { type: 'tool_use', id: 'toolu_late', name: 'Bash', input: { command: 'make' } },
    ]);
    expect(answer['stop_reason']).toBe('tool_use');
    expect(answer['id']).toBe('msg_mixed');
  });

  it('never hands an injected call to the client, even from a last turn that made one', () => {
    const { assembler } = readAll([lookUp]);
    const answer = JSON.parse(assembler.answer().toString()) as Record<string, unknown>;
    expect(answer['content']).toEqual([
      { type: 'thinking', thinking: 'I should search.', signature: 'sig-1' },
      { type: 'text', text: 'Let me look that up.' },
    ]);
  });
});
