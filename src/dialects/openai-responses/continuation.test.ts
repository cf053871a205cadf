import { describe, expect, it } from 'vitest';
import {
  answerEvents,
  doneItem,
  type AnswerSpec,
  type Json,
} from '../../../test/support/responses-agentic-answers.js';
import { pumpChunks } from '../../../test/support/responses-agentic-pump.js';
import type { ToolOutcome, Turn } from '../agentic.js';
import { parseBridgeRequest } from '../bridge-request.js';
import { scanJson, type JsonObjectText } from '../json-object.js';
import { emptyUsage } from '../token-usage.js';
import { RESPONSES_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');
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
const usage = { input: 100, cached: 10, output: 20, reasoning: 5 };

function object(text: string): JsonObjectText {
  const scan = scanJson(Buffer.from(text));
  if (scan.kind !== 'object') throw new Error('not an object');
  return scan.object;
}

function turnOf(replay: readonly Json[]): Turn {
  return {
    injectedCalls: [],
    clientCalls: [],
    usage: emptyUsage(),
    replay: Buffer.from(JSON.stringify(replay)),
  };
}

const outcome = (id: string, text: string, isError = false): ToolOutcome => ({
  call: { id, name: 'mcp_tickets__search', arguments: '{}' },
  text,
  isError,
});

const answer: AnswerSpec = {
  id: 'resp_1',
  items: [
    { type: 'reasoning', summary: 'Think.', encrypted: 'gAAA-enc' },
    { type: 'message', text: 'Looking.' },
    search,
    lookup,
  ],
  usage,
};
const items = answer.items.map((_, i) => doneItem(answer, i));

/** The bytes before and after the `input` array's closing bracket are the previous ones. */
function expectAppendedOnly(previous: string, next: Buffer): Json[] {
  const input = object(previous).member('input');
  if (input === undefined) throw new Error('no input');
  // Byte offsets equal string offsets here: the bodies are ASCII.
  const close = input.valueEnd - 1;
  const text = next.toString();
  expect(text.startsWith(previous.slice(0, close))).toBe(true);
  expect(text.endsWith(previous.slice(close))).toBe(true);
  const after = (JSON.parse(text) as Json)['input'] as Json[];
  const before = (JSON.parse(previous) as Json)['input'] as Json[];
  expect(after.slice(0, before.length)).toEqual(before);
  return after.slice(before.length);
}

describe('Responses agentic codec, continuation', () => {
  it('appends the model items and one function_call_output per result to an input array', () => {
    const previous =
      '{"model":"gpt-test","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"Bugs?"}]}],' +
      '"tools":[{"type":"function","name":"get_weather","parameters":{}}],"include":["reasoning.encrypted_content"],"stream":true,"prompt_cache_key":"k-1"}';
    const next = RESPONSES_AGENTIC.continuation(object(previous), turnOf(items), [
      outcome('call_s1', '3 open bugs'),
      outcome('call_l1', 'FAQ: none'),
    ]);
    expect(expectAppendedOnly(previous, next)).toEqual([
      ...items,
      { type: 'function_call_output', call_id: 'call_s1', output: '3 open bugs' },
      { type: 'function_call_output', call_id: 'call_l1', output: 'FAQ: none' },
    ]);
  });

  it('turns a string input into the user message it stood for, then the items', () => {
    const previous =
      '{"model":"gpt-test","input":"Any \\"open\\" bugs?","previous_response_id":"resp_0","store":true}';
    const next = RESPONSES_AGENTIC.continuation(object(previous), turnOf(items.slice(2, 3)), [
      outcome('call_s1', '3 open bugs'),
    ]);
    const text = next.toString();
    expect(
      text.startsWith(
        '{"model":"gpt-test","input":[{"role":"user","content":"Any \\"open\\" bugs?"},',
      ),
    ).toBe(true);
    expect(text.endsWith('],"previous_response_id":"resp_0","store":true}')).toBe(true);
    expect((JSON.parse(text) as Json)['input']).toEqual([
      { role: 'user', content: 'Any "open" bugs?' },
      items[2],
      { type: 'function_call_output', call_id: 'call_s1', output: '3 open bugs' },
    ]);
  });

  it('appends to an empty input array, and adds an input to a body without one', () => {
    const result = [outcome('call_s1', 'ok')];
    const empty = RESPONSES_AGENTIC.continuation(
      object('{"model":"m","input":[ ]}'),
      turnOf(items.slice(2, 3)),
      result,
    );
    expect((JSON.parse(empty.toString()) as Json)['input']).toEqual([
      items[2],
      { type: 'function_call_output', call_id: 'call_s1', output: 'ok' },
    ]);
    const absent = RESPONSES_AGENTIC.continuation(
      object('{"model":"m","prompt":{"id":"p1"}}'),
      turnOf(items.slice(2, 3)),
      result,
    );
    const parsed = JSON.parse(absent.toString()) as Json;
    expect(parsed['prompt']).toEqual({ id: 'p1' });
    expect(parsed['input']).toEqual([
      items[2],
      { type: 'function_call_output', call_id: 'call_s1', output: 'ok' },
    ]);
  });

  it('keeps the layout of a pretty-printed body', () => {
    const previous =
      '{\n  "model": "m",\n  "input": [\n    {"role": "user", "content": "Hi"}\n  ],\n  "stream": true\n}\n';
    const next = RESPONSES_AGENTIC.continuation(object(previous), turnOf([]), [
      outcome('call_s1', 'ok'),
    ]);
    expect(expectAppendedOnly(previous, next)).toEqual([
      { type: 'function_call_output', call_id: 'call_s1', output: 'ok' },
    ]);
  });

  it('an error result says so in its text, once', () => {
    const previous = '{"model":"m","input":[]}';
    const next = RESPONSES_AGENTIC.continuation(object(previous), turnOf([]), [
      outcome('call_s1', 'the server is down', true),
      outcome('call_l1', 'Error: timed out after 30 s', true),
      outcome('call_x', 'Error: not an error, just text', false),
    ]);
    expect((JSON.parse(next.toString()) as Json)['input']).toEqual([
      { type: 'function_call_output', call_id: 'call_s1', output: 'Error: the server is down' },
      { type: 'function_call_output', call_id: 'call_l1', output: 'Error: timed out after 30 s' },
      { type: 'function_call_output', call_id: 'call_x', output: 'Error: not an error, just text' },
    ]);
  });

  it('with "store": false, leaves out reasoning the provider could not resolve', () => {
    const plain = { id: 'rs_plain', type: 'reasoning', summary: [] };
    const encrypted = { id: 'rs_enc', type: 'reasoning', summary: [], encrypted_content: 'gAAA' };
    const call = items[2] as Json;
    const replay = turnOf([plain, encrypted, call]);
    const unstored = RESPONSES_AGENTIC.continuation(
      object('{"model":"m","store":false,"input":[]}'),
      replay,
      [],
    );
    expect((JSON.parse(unstored.toString()) as Json)['input']).toEqual([encrypted, call]);
    const stored = RESPONSES_AGENTIC.continuation(object('{"model":"m","input":[]}'), replay, []);
    expect((JSON.parse(stored.toString()) as Json)['input']).toEqual([plain, encrypted, call]);
  });

  it('replays a streamed turn with the items in the upstream own bytes', () => {
    const request = parseBridgeRequest(
      Buffer.from(
        '{"model":"gpt-test","stream":true,"store":false,"input":[{"role":"user","content":"Bugs?"}]}',
      ),
    );
    const assembler = RESPONSES_AGENTIC.streaming(isInjected, request);
    const events = answerEvents(answer);
    pumpChunks(assembler.iteration().onEvent, events, 5);
    const turn = assembler.turn();
    const next = RESPONSES_AGENTIC.continuation(request.body, turn, [
      outcome('call_s1', 'a'),
      outcome('call_l1', 'b'),
    ]);
    const text = next.toString();
    for (const item of items) expect(text).toContain(JSON.stringify(item));
    expect(expectAppendedOnly(request.raw.toString(), next)).toEqual([
      ...items,
      { type: 'function_call_output', call_id: 'call_s1', output: 'a' },
      { type: 'function_call_output', call_id: 'call_l1', output: 'b' },
    ]);
  });
});
