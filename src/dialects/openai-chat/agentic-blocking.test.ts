import { describe, expect, it } from 'vitest';
import {
  chatScriptCompletion,
  chatUsageOf,
  type ChatScript,
} from '../../../test/support/chat-agentic-streams.js';
import { chatCompletion } from '../../../test/support/openai-fixtures.js';
import type { BlockingAssembler, Turn } from '../agentic.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import { CHAT_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');

function body(value: unknown): JsonObjectText {
  const scan = scanJson(Buffer.from(JSON.stringify(value)));
  if (scan.kind !== 'object') throw new Error('not an object');
  return scan.object;
}

function runLoop(scripts: readonly ChatScript[]): {
  assembler: BlockingAssembler;
  turns: Turn[];
} {
  const assembler = CHAT_AGENTIC.blocking(isInjected);
  const turns = scripts.map((script) => assembler.read(body(chatScriptCompletion(script))));
  return { assembler, turns };
}

const lookup = { id: 'call_lookup', name: 'mcp_tickets__lookup', arguments: ['{"ticket":"T-1"}'] };
const search = { id: 'call_search', name: 'mcp_docs__search', arguments: ['{"q":"sla"}'] };
const readFile = { id: 'call_read', name: 'read_file', arguments: ['{"path":"a.ts"}'] };

const usage1 = chatUsageOf(100, 20, 40, 5);
const usage2 = chatUsageOf(150, 30, 90, 0);
const usage3 = chatUsageOf(210, 12, 150, 3);

describe('Chat agentic blocking', () => {
  it('answers a single final iteration with the very same bytes', () => {
    const assembler = CHAT_AGENTIC.blocking(isInjected);
    const upstream = body(chatCompletion('Hello'));
    const turn = assembler.read(upstream);
    expect(turn).toEqual({
      injectedCalls: [],
      clientCalls: [],
      usage: { input: 31, output: 9, cacheRead: 8, cacheCreation: 0, reasoning: 2 },
      replay: Buffer.alloc(0),
    });
    expect(assembler.answer()).toBe(upstream.raw);
  });

  it('gives a final turn with client calls as it was, the calls reported', () => {
    const assembler = CHAT_AGENTIC.blocking(isInjected);
    const upstream = body(
      chatScriptCompletion({ id: 'c-1', text: ['Reading.'], calls: [readFile], usage: usage1 }),
    );
    const turn = assembler.read(upstream);
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([
      { id: 'call_read', name: 'read_file', arguments: '{"path":"a.ts"}' },
    ]);
    expect(assembler.answer()).toBe(upstream.raw);
  });

  it('makes one completion of an injected call and a final answer', () => {
    const { assembler, turns } = runLoop([
      { id: 'c-1', text: ['Checking. '], calls: [lookup], usage: usage1 },
      { id: 'c-2', text: ['T-1 is closed.'], usage: usage2 },
    ]);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'call_lookup', name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' },
    ]);
    expect(turns[0]?.usage.input).toBe(100);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: 'Checking. ',
      tool_calls: [
        {
          id: 'call_lookup',
          type: 'function',
          function: { name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' },
        },
      ],
    });
    expect(turns[1]?.injectedCalls).toEqual([]);
    const answer = JSON.parse(assembler.answer().toString()) as Record<string, unknown>;
    expect(answer).toEqual({
      ...chatScriptCompletion({ id: 'c-2', text: ['T-1 is closed.'], usage: usage2 }),
      id: 'c-1',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking. T-1 is closed.',
            refusal: null,
            annotations: [],
          },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 250,
        completion_tokens: 50,
        total_tokens: 300,
        prompt_tokens_details: { cached_tokens: 130, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 5, audio_tokens: 0 },
      },
    });
  });

  it('runs three iterations with two injected calls in one turn', () => {
    const { assembler, turns } = runLoop([
      { id: 'c-1', calls: [lookup, search], usage: usage1 },
      { id: 'c-2', calls: [search], usage: usage2 },
      { id: 'c-3', text: ['Breached.'], usage: usage3 },
    ]);
    expect(turns.map((turn) => turn.injectedCalls.length)).toEqual([2, 1, 0]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toMatchObject({
      content: null,
      tool_calls: [{ id: 'call_lookup' }, { id: 'call_search' }],
    });
    const answer = JSON.parse(assembler.answer().toString()) as {
      id: string;
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; total_tokens: number };
    };
    expect(answer.id).toBe('c-1');
    expect(answer.choices[0]?.message.content).toBe('Breached.');
    expect(answer.usage.prompt_tokens).toBe(460);
    expect(answer.usage.total_tokens).toBe(522);
  });

  it('keeps content null when no iteration wrote any', () => {
    const { assembler } = runLoop([
      { id: 'c-1', calls: [lookup], usage: usage1 },
      { id: 'c-2', calls: [readFile], usage: usage2 },
    ]);
    const answer = JSON.parse(assembler.answer().toString()) as {
      choices: { message: Record<string, unknown>; finish_reason: string }[];
    };
    expect(answer.choices[0]?.message['content']).toBeNull();
    expect(answer.choices[0]?.message['tool_calls']).toEqual([
      {
        id: 'call_read',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"a.ts"}' },
      },
    ]);
    expect(answer.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('drops the client calls of a mixed turn and reports both', () => {
    const { assembler, turns } = runLoop([
      { id: 'c-1', text: ['Both. '], calls: [readFile, lookup], usage: usage1 },
      { id: 'c-2', text: ['Done.'], usage: usage2 },
    ]);
    expect(turns[0]?.injectedCalls.map((call) => call.id)).toEqual(['call_lookup']);
    expect(turns[0]?.clientCalls.map((call) => call.id)).toEqual(['call_read']);
    expect(turns[0]?.replay.toString()).not.toContain('read_file');
    const answer = assembler.answer().toString();
    expect(answer).not.toContain('call_read');
    expect(answer).not.toContain('mcp_');
    expect(answer).toContain('"content":"Both. Done."');
  });

  it('concatenates and replays reasoning_content', () => {
    const { assembler, turns } = runLoop([
      { id: 'c-1', reasoning: ['Look it up.'], calls: [lookup], usage: usage1 },
      { id: 'c-2', reasoning: [' Closed.'], text: ['Closed.'], usage: usage2 },
    ]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toMatchObject({
      reasoning_content: 'Look it up.',
    });
    const answer = JSON.parse(assembler.answer().toString()) as {
      choices: { message: Record<string, unknown> }[];
    };
    expect(answer.choices[0]?.message['reasoning_content']).toBe('Look it up. Closed.');
  });

  it('takes part with choice 0 only: the other choices come from the final answer', () => {
    const withSecond = (script: ChatScript, text: string): Record<string, unknown> => {
      const completion = chatScriptCompletion(script);
      const choices = completion['choices'] as Record<string, unknown>[];
      // A second choice that calls an injected tool is not the loop's business.
      const second = chatScriptCompletion({ id: 'x', text: [text], calls: [search], usage: {} });
      const choice = (second['choices'] as Record<string, unknown>[])[0];
      return { ...completion, choices: [...choices, { ...choice, index: 1 }] };
    };
    const assembler = CHAT_AGENTIC.blocking(isInjected);
    const first = assembler.read(
      body(withSecond({ id: 'c-1', calls: [lookup], usage: usage1 }, 'second, first try')),
    );
    expect(first.injectedCalls.map((call) => call.id)).toEqual(['call_lookup']);
    const final = assembler.read(
      body(withSecond({ id: 'c-2', text: ['Main.'], usage: usage2 }, 'second, final')),
    );
    expect(final.injectedCalls).toEqual([]);
    const answer = JSON.parse(assembler.answer().toString()) as {
      choices: { index: number; message: { content: string } }[];
    };
    expect(answer.choices.map((choice) => choice.message.content)).toEqual([
      'Main.',
      'second, final',
    ]);
  });
});
