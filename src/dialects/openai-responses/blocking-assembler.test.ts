import { describe, expect, it } from 'vitest';
import {
  answerBody,
  usageObject,
  type AnswerSpec,
  type Json,
} from '../../../test/support/responses-agentic-answers.js';
import type { BlockingAssembler } from '../agentic.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import { RESPONSES_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');
const blocking = (): BlockingAssembler => RESPONSES_AGENTIC.blocking(isInjected);

const search = {
  type: 'call',
  callId: 'call_s1',
  name: 'mcp_tickets__search',
  arguments: '{"q":"open bugs"}',
} as const;
const lookup = {
  type: 'call',
  callId: 'call_l1',
  name: 'mcp_docs__lookup',
  arguments: '{"page":"faq"}',
} as const;
const weather = {
  type: 'call',
  callId: 'call_w1',
  name: 'get_weather',
  arguments: '{"city":"Oslo"}',
} as const;
const usageA = { input: 100, cached: 10, output: 20, reasoning: 5 };
const usageB = { input: 150, cached: 90, output: 30, reasoning: 7 };
const usageC = { input: 210, cached: 140, output: 12, reasoning: 0 };

function body(spec: AnswerSpec, extra: Json = {}): JsonObjectText {
  const scan = scanJson(Buffer.from(JSON.stringify({ ...answerBody(spec), ...extra })));
  if (scan.kind !== 'object') throw new Error('not an object');
  return scan.object;
}

const parsed = (bytes: Buffer): Json => JSON.parse(bytes.toString()) as Json;
const types = (answer: Json): unknown[] =>
  (answer['output'] as Json[]).map((item) => item['call_id'] ?? item['type']);

describe('Responses agentic codec, blocking', () => {
  it('a single final answer is returned as the very same bytes', () => {
    const assembler = blocking();
    const only = body({ id: 'resp_1', items: [{ type: 'message', text: 'Hi' }], usage: usageA });
    const turn = assembler.read(only);
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([]);
    expect(turn.usage).toEqual({
      input: 100,
      output: 20,
      cacheRead: 10,
      cacheCreation: 0,
      reasoning: 5,
    });
    expect(assembler.answer()).toBe(only.raw);
  });

  it("a single answer with the client's call reaches it unchanged, the call reported", () => {
    const assembler = blocking();
    const only = body({ id: 'resp_1', items: [weather], usage: usageA });
    const turn = assembler.read(only);
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([
      { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
    expect(assembler.answer()).toBe(only.raw);
  });

  it('two answers make one: content of both, no injected call, usage summed, the final id and status', () => {
    const assembler = blocking();
    const first = assembler.read(
      body({
        id: 'resp_1',
        items: [
          { type: 'reasoning', summary: 'Need the tickets.', encrypted: 'gAAA-1' },
          { type: 'message', text: 'Let me look. ' },
          search,
        ],
        usage: usageA,
      }),
    );
    expect(first.injectedCalls).toEqual([
      { id: 'call_s1', name: 'mcp_tickets__search', arguments: '{"q":"open bugs"}' },
    ]);
    expect((JSON.parse(first.replay.toString()) as Json[]).map((item) => item['type'])).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    const final = body(
      { id: 'resp_2', items: [{ type: 'message', text: 'There are 3.' }], usage: usageB },
      { service_tier: 'default', user_field_kept: { a: 1 } },
    );
    expect(assembler.read(final).injectedCalls).toEqual([]);
    const answer = assembler.answer();
    expect(answer.toString()).not.toMatch(/mcp_|call_s1/);
    const one = parsed(answer);
    expect(one['id']).toBe('resp_2');
    expect(one['status']).toBe('completed');
    expect(types(one)).toEqual(['reasoning', 'message', 'message']);
    expect(one['usage']).toEqual(
      usageObject({ input: 250, cached: 100, output: 50, reasoning: 12 }),
    );
    // Every other member as the provider wrote it in the final answer.
    const withoutSums = (answer: Json): Json =>
      Object.fromEntries(
        Object.entries(answer).filter(([key]) => key !== 'output' && key !== 'usage'),
      );
    expect(withoutSums(one)).toEqual(withoutSums(parsed(final.raw)));
  });

  it('three answers, two injected calls in one turn', () => {
    const assembler = blocking();
    const turns = [
      { id: 'resp_1', items: [search, lookup], usage: usageA },
      {
        id: 'resp_2',
        items: [
          { type: 'reasoning', summary: 'One more.', encrypted: 'gAAA-2' },
          { ...search, callId: 'call_s2' },
        ],
        usage: usageB,
      },
      { id: 'resp_3', items: [{ type: 'message', text: 'Done.' }], usage: usageC },
    ].map((spec) => assembler.read(body(spec as AnswerSpec)));
    expect(turns.map((turn) => turn.injectedCalls.map((call) => call.id))).toEqual([
      ['call_s1', 'call_l1'],
      ['call_s2'],
      [],
    ]);
    const one = parsed(assembler.answer());
    expect(types(one)).toEqual(['reasoning', 'message']);
    expect(one['usage']).toEqual(
      usageObject({ input: 460, cached: 240, output: 62, reasoning: 12 }),
    );
  });

  it("a mixed turn: the client's call is dropped, the turn reports both", () => {
    const assembler = blocking();
    const turn = assembler.read(
      body({
        id: 'resp_1',
        items: [{ type: 'message', text: 'On it.' }, search, weather],
        usage: usageA,
      }),
    );
    expect(turn.injectedCalls.map((call) => call.id)).toEqual(['call_s1']);
    expect(turn.clientCalls.map((call) => call.id)).toEqual(['call_w1']);
    expect(
      (JSON.parse(turn.replay.toString()) as Json[]).map((item) => item['call_id'] ?? item['type']),
    ).toEqual(['message', 'call_s1']);
    assembler.read(
      body({ id: 'resp_2', items: [{ type: 'message', text: 'Found.' }], usage: usageB }),
    );
    expect(types(parsed(assembler.answer()))).toEqual(['message', 'message']);
  });

  it("the final answer's own client calls reach the client", () => {
    const assembler = blocking();
    assembler.read(body({ id: 'resp_1', items: [search], usage: usageA }));
    const final = assembler.read(
      body({
        id: 'resp_2',
        items: [{ type: 'message', text: 'Your turn.' }, weather],
        usage: usageB,
      }),
    );
    expect(final.injectedCalls).toEqual([]);
    expect(final.clientCalls.map((call) => call.id)).toEqual(['call_w1']);
    expect(types(parsed(assembler.answer()))).toEqual(['message', 'call_w1']);
  });

  it('keeps output_text consistent when the body has one', () => {
    const assembler = blocking();
    assembler.read(
      body(
        { id: 'resp_1', items: [{ type: 'message', text: 'A ' }, search], usage: usageA },
        { output_text: 'A ' },
      ),
    );
    assembler.read(
      body(
        { id: 'resp_2', items: [{ type: 'message', text: 'B' }], usage: usageB },
        { output_text: 'B' },
      ),
    );
    expect(parsed(assembler.answer())['output_text']).toBe('A B');
  });

  it('an incomplete answer is final: its injected calls are neither run nor shown', () => {
    const assembler = blocking();
    const turn = assembler.read(
      body({
        id: 'resp_1',
        items: [{ type: 'message', text: 'Cut' }, search],
        usage: usageA,
        status: 'incomplete',
      }),
    );
    expect(turn.injectedCalls).toEqual([]);
    const one = parsed(assembler.answer());
    expect(one['status']).toBe('incomplete');
    expect(types(one)).toEqual(['message']);
  });
});
