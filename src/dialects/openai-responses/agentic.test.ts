import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  answerEventBodies,
  answerEvents,
  doneItem,
  sseEvent,
  usageObject,
  type AnswerSpec,
  type Json,
} from '../../../test/support/responses-agentic-answers.js';
import { pumpChunks, pumpEach } from '../../../test/support/responses-agentic-pump.js';
import { parseWithSdk } from '../../../test/support/responses-agentic-sdk.js';
import { parseSseText } from '../../../test/support/sse-text.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import type { StreamAssembler } from '../agentic.js';
import { parseBridgeRequest } from '../bridge-request.js';
import { RESPONSES_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');
const request = parseBridgeRequest(
  Buffer.from('{"model":"gpt-test","stream":true,"store":false,"input":"Hi"}'),
);
const streaming = (): StreamAssembler => RESPONSES_AGENTIC.streaming(isInjected, request);

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

/** What the client's stream holds, event by event. */
function clientEvents(bytes: Buffer): Json[] {
  return parseSseText(bytes.toString()).map((event) => {
    const body = JSON.parse(event.data) as Json;
    expect(event.event).toBe(body['type']);
    return body;
  });
}

function expectConsecutive(events: readonly Json[]): void {
  expect(events.map((e) => e['sequence_number'])).toEqual(events.map((_, i) => i));
}

/** One response, numbered as one: sequence_number from 0, output_index consecutive. */
function expectOneResponse(events: readonly Json[]): void {
  expect(events.map((e) => e['sequence_number'])).toEqual(events.map((_, i) => i));
  expect(events.filter((e) => e['type'] === 'response.created')).toHaveLength(1);
  expect(events.at(-1)?.['type']).toMatch(/^response\.(completed|incomplete|failed)$/);
  const added = events.filter((e) => e['type'] === 'response.output_item.added');
  expect(added.map((e) => e['output_index'])).toEqual(added.map((_, i) => i));
}

/** Runs the loop's iterations through one assembler; returns the client's bytes. */
function runLoop(
  assembler: StreamAssembler,
  answers: readonly AnswerSpec[],
  chunkSize = 7,
): Buffer {
  const sent: Buffer[] = [];
  for (const answer of answers) {
    const observer = assembler.iteration();
    sent.push(pumpChunks(observer.onEvent, answerEvents(answer), chunkSize));
    expect(observer.end).toBe('completed');
  }
  return Buffer.concat(sent);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Responses agentic codec, streaming: one iteration', () => {
  it('forwards a plain answer byte for byte, whatever the chunking', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'Hello there, friend' }],
      usage: usageA,
    };
    const upstream = Buffer.from(answerEvents(answer).join(''));
    for (const chunkSize of [1, 7, 64, upstream.length]) {
      const assembler = streaming();
      const observer = assembler.iteration();
      const sent = pumpChunks(observer.onEvent, answerEvents(answer), chunkSize);
      expect(sent.equals(upstream)).toBe(true);
      expect(observer.end).toBe('completed');
      expect(observer.usage).toEqual({
        input: 100,
        output: 20,
        cacheRead: 10,
        cacheCreation: 0,
        reasoning: 5,
      });
      const turn = assembler.turn();
      expect(turn.injectedCalls).toEqual([]);
      expect(turn.clientCalls).toEqual([]);
      expect(turn.usage).toEqual(observer.usage);
    }
  });

  it('passes the text deltas untouched, without reading, decoding or parsing them', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'Hello there, friend' }],
      usage: usageA,
    };
    const parse = vi.spyOn(JSON, 'parse');
    const observer = streaming().iteration();
    const results: (Buffer | undefined)[] = [];
    let reads = 0;
    pumpChunks((type, event) => {
      if (type !== 'response.output_text.delta') return observer.onEvent(type, event);
      const counted: SseEventView = {
        data: () => (reads++, event.data()),
        raw: () => (reads++, event.raw()),
      };
      const result = observer.onEvent(type, counted);
      results.push(result);
      return result;
    }, answerEvents(answer));
    expect(results).toEqual([undefined, undefined]);
    expect(reads).toBe(0);
    const parsed = parse.mock.calls.map(([text]) => text);
    expect(parsed.some((text) => text.includes('"response.completed"'))).toBe(true);
    expect(parsed.filter((text) => text.includes('output_text.delta'))).toEqual([]);
  });

  it('text then a client call: the text streams live, the call is released unchanged at the end', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'Let me check.' }, weather],
      usage: usageA,
    };
    const events = answerEvents(answer);
    const assembler = streaming();
    const sent = pumpEach(assembler.iteration().onEvent, events);
    const callAdded = events.findIndex((e) => e.includes('"type":"function_call"'));
    expect(Buffer.concat(sent.slice(0, callAdded)).toString()).toBe(
      events.slice(0, callAdded).join(''),
    );
    expect(sent.slice(callAdded, -1).every((bytes) => bytes.length === 0)).toBe(true);
    expect(Buffer.concat(sent).toString()).toBe(events.join(''));
    expect(assembler.turn().clientCalls.map((call) => call.id)).toEqual(['call_w1']);
  });

  it('holds the head until the first item the client may see', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'Hi' }],
      usage: usageA,
    };
    const events = answerEvents(answer);
    const sent = pumpEach(streaming().iteration().onEvent, events);
    expect(sent[0]?.length).toBe(0);
    expect(sent[1]?.length).toBe(0);
    expect(sent[2]?.toString()).toBe(events.slice(0, 3).join(''));
  });

  it('holds a client tool call until the answer is known to be final, then releases it unchanged', () => {
    const answer: AnswerSpec = { id: 'resp_1', items: [weather], usage: usageA };
    const events = answerEvents(answer);
    const assembler = streaming();
    const observer = assembler.iteration();
    const sent = pumpEach(observer.onEvent, events);
    expect(sent.slice(0, -1).every((bytes) => bytes.length === 0)).toBe(true);
    expect(sent.at(-1)?.toString()).toBe(events.join(''));
    const turn = assembler.turn();
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([
      { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
  });

  it('streams the text live and releases a client call held behind it, as one valid response', async () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [weather, { type: 'message', text: 'Checking the weather.' }],
      usage: usageA,
    };
    const events = answerEvents(answer);
    const observer = streaming().iteration();
    const sent = pumpEach(observer.onEvent, events);
    // The message (upstream index 1) goes out live, as the client's index 0.
    const messageAdded = events.findIndex((e) => e.includes('"type":"message"'));
    expect(clientEvents(sent[messageAdded] ?? Buffer.alloc(0)).at(-1)?.['output_index']).toBe(0);
    const client = clientEvents(Buffer.concat(sent));
    expectOneResponse(client);
    const parsed = await parseWithSdk(Buffer.concat(sent));
    expect(parsed.error).toBeUndefined();
    expect(parsed.response?.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(parsed.response?.output_text).toBe('Checking the weather.');
  });

  it('passes the provider hosted tool calls as content', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [
        { type: 'web_search', query: 'oslo' },
        { type: 'message', text: 'Sunny.' },
      ],
      usage: usageA,
    };
    const observer = streaming().iteration();
    const sent = pumpChunks(observer.onEvent, answerEvents(answer));
    expect(sent.toString()).toBe(answerEvents(answer).join(''));
  });

  it('reads events whose sequence_number comes first, as the provider writes them', () => {
    const answer: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'Hi' }],
      usage: usageA,
    };
    const events = answerEventBodies(answer).map((body) =>
      sseEvent({ type: body['type'], sequence_number: body['sequence_number'], ...body }),
    );
    const assembler = streaming();
    const sent = pumpChunks(assembler.iteration().onEvent, events);
    expect(sent.toString()).toBe(events.join(''));
  });
});

describe('Responses agentic codec, streaming: several iterations', () => {
  it('an iteration that starts with an injected call sends the client nothing', () => {
    const assembler = streaming();
    const observer = assembler.iteration();
    const sent = pumpChunks(
      observer.onEvent,
      answerEvents({ id: 'resp_1', items: [search], usage: usageA }),
    );
    expect(sent.length).toBe(0);
    expect(observer.end).toBe('completed');
    const turn = assembler.turn();
    expect(turn.injectedCalls).toEqual([
      { id: 'call_s1', name: 'mcp_tickets__search', arguments: '{"q":"open bugs"}' },
    ]);
    expect(turn.clientCalls).toEqual([]);
    expect(turn.usage).toEqual({
      input: 100,
      output: 20,
      cacheRead: 10,
      cacheCreation: 0,
      reasoning: 5,
    });
    expect(JSON.parse(turn.replay.toString())).toEqual([
      doneItem({ id: 'resp_1', items: [search], usage: usageA }, 0),
    ]);
  });

  it('two iterations make one response for the SDK: text of both, no injected call, usage summed', async () => {
    const first: AnswerSpec = {
      id: 'resp_1',
      items: [
        { type: 'reasoning', summary: 'Need the tickets.', encrypted: 'gAAA-1' },
        { type: 'message', text: 'Let me look. ' },
        search,
      ],
      usage: usageA,
    };
    const second: AnswerSpec = {
      id: 'resp_2',
      items: [{ type: 'message', text: 'There are 3 open bugs.' }],
      usage: usageB,
    };
    const assembler = streaming();
    const sent = runLoop(assembler, [first]);
    const turn = assembler.turn();
    expect(turn.injectedCalls.map((call) => call.id)).toEqual(['call_s1']);
    expect((JSON.parse(turn.replay.toString()) as Json[]).map((item) => item['type'])).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    const all = Buffer.concat([sent, runLoop(assembler, [second])]);
    expect(assembler.turn().injectedCalls).toEqual([]);

    const text = all.toString();
    expect(text).not.toContain('mcp_tickets__search');
    expect(text).not.toContain('call_s1');
    expect(text).not.toContain('resp_2');
    const events = clientEvents(all);
    expectOneResponse(events);

    const { response, events: sdkEvents, error } = await parseWithSdk(all);
    expect(error).toBeUndefined();
    expect(sdkEvents.filter((e) => e.type === 'response.completed')).toHaveLength(1);
    expect(response?.id).toBe('resp_1');
    expect(response?.status).toBe('completed');
    expect(response?.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'message']);
    expect(response?.output_text).toBe('Let me look. There are 3 open bugs.');
    expect(response?.usage).toEqual({
      input_tokens: 250,
      input_tokens_details: { cached_tokens: 100 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 12 },
      total_tokens: 300,
    });
  });

  it('three iterations, two injected calls in one turn', async () => {
    const answers: AnswerSpec[] = [
      { id: 'resp_1', items: [search, lookup], usage: usageA },
      {
        id: 'resp_2',
        items: [
          { type: 'reasoning', summary: 'One more.', encrypted: 'gAAA-2' },
          { ...search, callId: 'call_s2' },
        ],
        usage: usageB,
      },
      {
        id: 'resp_3',
        items: [{ type: 'message', text: 'Done: 3 bugs, FAQ read.' }],
        usage: usageC,
      },
    ];
    const assembler = streaming();
    const sent: Buffer[] = [];
    const calls: string[][] = [];
    for (const answer of answers) {
      sent.push(runLoop(assembler, [answer], 13));
      calls.push(assembler.turn().injectedCalls.map((call) => `${call.name}:${call.id}`));
    }
    expect(calls).toEqual([
      ['mcp_tickets__search:call_s1', 'mcp_docs__lookup:call_l1'],
      ['mcp_tickets__search:call_s2'],
      [],
    ]);
    expect(sent[0]?.length).toBe(0);
    const all = Buffer.concat(sent);
    expectOneResponse(clientEvents(all));
    // The first response showed nothing: the client's is the first that did (resp_2).
    expect(all.toString()).not.toMatch(/mcp_|call_s|call_l|resp_1|resp_3/);
    const { response, error } = await parseWithSdk(all);
    expect(error).toBeUndefined();
    expect(response?.id).toBe('resp_2');
    expect(response?.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response?.output_text).toBe('Done: 3 bugs, FAQ read.');
    expect(response?.usage).toEqual(
      usageObject({ input: 460, cached: 240, output: 62, reasoning: 12 }),
    );
  });

  it('a mixed turn: the client call is not emitted, the turn reports both', async () => {
    const first: AnswerSpec = {
      id: 'resp_1',
      items: [{ type: 'message', text: 'On it. ' }, search, weather],
      usage: usageA,
    };
    const second: AnswerSpec = {
      id: 'resp_2',
      items: [{ type: 'message', text: 'Found them.' }],
      usage: usageB,
    };
    const assembler = streaming();
    const sentFirst = runLoop(assembler, [first]);
    const turn = assembler.turn();
    expect(turn.injectedCalls).toEqual([
      { id: 'call_s1', name: 'mcp_tickets__search', arguments: '{"q":"open bugs"}' },
    ]);
    expect(turn.clientCalls).toEqual([
      { id: 'call_w1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
    ]);
    // The replay keeps the injected call and leaves the client's out.
    expect(
      (JSON.parse(turn.replay.toString()) as Json[]).map((item) => item['call_id'] ?? item['type']),
    ).toEqual(['message', 'call_s1']);
    const all = Buffer.concat([sentFirst, runLoop(assembler, [second])]);
    expect(all.toString()).not.toMatch(/get_weather|call_w1|mcp_/);
    expectOneResponse(clientEvents(all));
    const { response } = await parseWithSdk(all);
    expect(response?.output.map((item) => item.type)).toEqual(['message', 'message']);
    expect(response?.output_text).toBe('On it. Found them.');
  });

  it('a final turn after an injected one hands the client its own calls, renumbered', async () => {
    const first: AnswerSpec = { id: 'resp_1', items: [search], usage: usageA };
    const second: AnswerSpec = {
      id: 'resp_2',
      items: [{ type: 'message', text: 'Need your weather.' }, weather],
      usage: usageB,
    };
    const assembler = streaming();
    runLoop(assembler, [first]);
    const observer = assembler.iteration();
    const sent = pumpEach(observer.onEvent, answerEvents(second));
    // Nothing of the client's call goes out before the terminal event.
    const callAdded = answerEvents(second).findIndex((e) => e.includes('"type":"function_call"'));
    expect(sent.slice(callAdded, -1).every((bytes) => bytes.length === 0)).toBe(true);
    const turn = assembler.turn();
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls.map((call) => call.id)).toEqual(['call_w1']);
    const all = Buffer.concat(sent);
    const events = clientEvents(all);
    expectOneResponse(events);
    const { response, error } = await parseWithSdk(all);
    expect(error).toBeUndefined();
    expect(response?.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(response?.output[1]).toMatchObject({
      call_id: 'call_w1',
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
    });
    expect(response?.usage?.input_tokens).toBe(250);
  });

  it('events without an event: line are read from their data, and stay without one', async () => {
    const dataOnly = (spec: AnswerSpec): string[] =>
      answerEventBodies(spec).map((body) => `data: ${JSON.stringify(body)}\n\n`);
    const assembler = streaming();
    const sent: Buffer[] = [];
    for (const spec of [
      { id: 'resp_1', items: [search], usage: usageA },
      { id: 'resp_2', items: [{ type: 'message', text: 'Plain data.' }], usage: usageB },
    ] satisfies AnswerSpec[]) {
      const observer = assembler.iteration();
      sent.push(pumpChunks(observer.onEvent, dataOnly(spec)));
      expect(observer.end).toBe('completed');
    }
    const all = Buffer.concat(sent);
    const events = parseSseText(all.toString());
    expect(events.every((event) => event.event === undefined)).toBe(true);
    expectOneResponse(events.map((event) => JSON.parse(event.data) as Json));
    const { response } = await parseWithSdk(all);
    expect(response?.output_text).toBe('Plain data.');
  });

  it('a retried attempt after a stream that died unseen gives the client one response', async () => {
    const assembler = streaming();
    const dead = assembler.iteration();
    const died = pumpChunks(
      dead.onEvent,
      answerEvents({ id: 'resp_dead', items: [search], usage: usageA }).slice(0, 4),
    );
    expect(died.length).toBe(0);
    expect(dead.end).toBeUndefined();
    const sent = runLoop(assembler, [
      { id: 'resp_1', items: [{ type: 'message', text: 'Second try.' }], usage: usageB },
    ]);
    const events = clientEvents(sent);
    expectOneResponse(events);
    const { response } = await parseWithSdk(sent);
    expect(response?.output_text).toBe('Second try.');
    expect(response?.usage).toEqual(usageObject(usageB));
  });

  it('a final incomplete answer ends the loop with its status and the summed usage; its calls are not run', async () => {
    const assembler = streaming();
    const sent = runLoop(assembler, [
      { id: 'resp_1', items: [search], usage: usageA },
      {
        id: 'resp_2',
        items: [
          { type: 'message', text: 'Partial' },
          { ...lookup, callId: 'call_l9' },
        ],
        usage: usageB,
        status: 'incomplete',
      },
    ]);
    expect(assembler.turn().injectedCalls).toEqual([]);
    expect(sent.toString()).not.toMatch(/mcp_|call_l9/);
    const events = clientEvents(sent);
    expectOneResponse(events);
    const { response } = await parseWithSdk(sent);
    expect(response?.status).toBe('incomplete');
    expect(response?.id).toBe('resp_1');
    expect(response?.output.map((item) => item.type)).toEqual(['message']);
    expect(response?.usage?.output_tokens).toBe(50);
  });
});

describe('Responses agentic codec, streaming: errors', () => {
  it('errorEvent continues the client stream; the SDK throws the API error', async () => {
    const assembler = streaming();
    runLoop(assembler, [{ id: 'resp_1', items: [search], usage: usageA }]);
    const observer = assembler.iteration();
    // The continuation's stream is cut after some text.
    const events = answerEvents({
      id: 'resp_2',
      items: [{ type: 'message', text: 'Partial answer' }],
      usage: usageB,
    });
    const cut = events.slice(0, 6);
    const sent = pumpChunks(observer.onEvent, cut);
    expect(observer.end).toBeUndefined();
    const error = assembler.errorEvent(
      new GatewayError(429, 'rate_limit', 'all configured keys are rate-limited'),
    );
    const all = Buffer.concat([sent, error]);
    const client = clientEvents(all);
    expect(client.map((e) => e['sequence_number'])).toEqual(client.map((_, i) => i));
    expect(client.at(-1)).toEqual({
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'all configured keys are rate-limited',
      param: null,
      sequence_number: client.length - 1,
    });
    // The openai SDK rejects a Responses stream with the error event itself.
    const parsed = await parseWithSdk(all);
    expect(parsed.response).toBeUndefined();
    expect(parsed.error).toMatchObject({
      type: 'error',
      code: 'rate_limit_exceeded',
      message: 'all configured keys are rate-limited',
    });
  });

  it('an upstream error event mid-iteration is forwarded, renumbered, and ends the iteration', async () => {
    const assembler = streaming();
    const before = runLoop(assembler, [
      { id: 'resp_1', items: [{ type: 'message', text: 'First. ' }, search], usage: usageA },
    ]);
    const observer = assembler.iteration();
    const events = answerEvents({
      id: 'resp_2',
      items: [{ type: 'message', text: 'Second' }],
      usage: usageB,
    });
    const upstreamError = `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'The model crashed', param: null, sequence_number: 5 })}\n\n`;
    const sent = pumpChunks(observer.onEvent, [...events.slice(0, 5), upstreamError]);
    expect(observer.end).toBe('error');
    expect(observer.errorMessage).toBe('The model crashed');
    const client = clientEvents(sent);
    expect(client.at(-1)).toMatchObject({ type: 'error', message: 'The model crashed' });
    expect(client.at(-1)?.['sequence_number']).toBeGreaterThan(5);
    expectConsecutive(clientEvents(Buffer.concat([before, sent])));
    const parsed = await parseWithSdk(Buffer.concat([before, sent]));
    expect(parsed.response).toBeUndefined();
    expect(parsed.error).toMatchObject({ type: 'error', message: 'The model crashed' });
  });

  it('an error before anything was shown releases the head first', () => {
    const assembler = streaming();
    const observer = assembler.iteration();
    const events = answerEvents({ id: 'resp_1', items: [search], usage: usageA });
    const upstreamError = `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message: 'boom', param: null, sequence_number: 4 })}\n\n`;
    const sent = pumpChunks(observer.onEvent, [...events.slice(0, 4), upstreamError]);
    expect(
      clientEvents(sent).map((e) => `${String(e['type'])}#${String(e['sequence_number'])}`),
    ).toEqual(['response.created#0', 'response.in_progress#1', 'error#2']);
    expect(observer.end).toBe('error');
  });

  it('response.failed is forwarded as the loop response, and ends the iteration in error', async () => {
    const assembler = streaming();
    const before = runLoop(assembler, [
      { id: 'resp_1', items: [{ type: 'message', text: 'Looking. ' }, search], usage: usageA },
    ]);
    const observer = assembler.iteration();
    const failed = sseEvent({
      type: 'response.failed',
      response: {
        id: 'resp_2',
        object: 'response',
        status: 'failed',
        output: [],
        error: { code: 'server_error', message: 'Upstream gave up' },
        usage: null,
      },
      sequence_number: 2,
    });
    const events = answerEvents({ id: 'resp_2', items: [], usage: usageB }).slice(0, 2);
    const sent = pumpChunks(observer.onEvent, [...events, failed]);
    expect(observer.end).toBe('error');
    expect(observer.errorMessage).toBe('Upstream gave up');
    const client = clientEvents(Buffer.concat([before, sent]));
    expectOneResponse(client);
    expect(client.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { id: 'resp_1', status: 'failed', error: { message: 'Upstream gave up' } },
    });
    const parsed = await parseWithSdk(Buffer.concat([before, sent]));
    expect(parsed.response?.status).toBe('failed');
    expect(parsed.response?.output_text).toBe('Looking. ');
  });

  it('a stream cut leaves the end undefined and sends nothing extra', () => {
    const assembler = streaming();
    const observer = assembler.iteration();
    const events = answerEvents({
      id: 'resp_1',
      items: [{ type: 'message', text: 'Hello' }],
      usage: usageA,
    });
    const upstream = events.join('');
    const cutAt = upstream.indexOf('event: response.output_text.done');
    const sent = pumpChunks(observer.onEvent, [upstream.slice(0, cutAt + 10)]);
    expect(observer.end).toBeUndefined();
    expect(sent.toString()).toBe(upstream.slice(0, cutAt));
  });
});
