import { APIError } from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { SseFramer } from '../../sse/framer.js';
import {
  chatScriptEvents,
  chatUsageOf,
  type ChatScript,
} from '../../../test/support/chat-agentic-streams.js';
import { sdkFinalCompletion } from '../../../test/support/chat-agentic-sdk.js';
import { chatStreamError, chatStreamEvents } from '../../../test/support/openai-fixtures.js';
import { parseSseText } from '../../../test/support/sse-text.js';
import type { IterationObserver, StreamAssembler, Turn } from '../agentic.js';
import { parseBridgeRequest } from '../bridge-request.js';
import { CHAT_AGENTIC } from './agentic.js';
import { ChatStreamObserver } from './stream-observer.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');

function assembler(options: { usage?: boolean; n?: number } = {}): StreamAssembler {
  const body = {
    model: 'gpt-test',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
    ...(options.usage === false ? {} : { stream_options: { include_usage: true } }),
    ...(options.n === undefined ? {} : { n: options.n }),
  };
  return CHAT_AGENTIC.streaming(isInjected, parseBridgeRequest(Buffer.from(JSON.stringify(body))));
}

/** Pushes each event through a framer, as the event pump does; what the client got per event. */
function feedEvents(observer: IterationObserver, events: readonly string[]): Buffer[] {
  const framer = new SseFramer(observer.onEvent);
  return events.map((event) => framer.push(Buffer.from(event)));
}

/** The same bytes in pieces of `size` bytes, cutting events anywhere. */
function feedBytes(observer: IterationObserver, events: readonly string[], size: number): Buffer {
  const framer = new SseFramer(observer.onEvent);
  const bytes = Buffer.from(events.join(''));
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    out.push(framer.push(Buffer.from(bytes.subarray(at, at + size))));
  }
  return Buffer.concat(out);
}

interface Loop {
  readonly bytes: Buffer;
  readonly turns: Turn[];
}

/** Runs a whole loop of scripted upstream answers (the gateway always asks for usage). */
function runLoop(
  scripts: readonly ChatScript[],
  options: { usage?: boolean; piece?: number; n?: number } = {},
): Loop {
  const loop = assembler(options);
  const out: Buffer[] = [];
  const turns: Turn[] = [];
  for (const script of scripts) {
    const observer = loop.iteration();
    const events = chatScriptEvents(script);
    out.push(
      options.piece === undefined
        ? Buffer.concat(feedEvents(observer, events))
        : feedBytes(observer, events, options.piece),
    );
    expect(observer.end).toBe('completed');
    turns.push(loop.turn());
  }
  return { bytes: Buffer.concat(out), turns };
}

function chunksOf(bytes: Buffer): Record<string, unknown>[] {
  return parseSseText(bytes.toString())
    .filter((event) => event.data !== '[DONE]')
    .map((event) => JSON.parse(event.data) as Record<string, unknown>);
}

const lookup = {
  id: 'call_lookup',
  name: 'mcp_tickets__lookup',
  arguments: ['{"ticket"', ':"T-1"}'],
};
const search = { id: 'call_search', name: 'mcp_docs__search', arguments: ['{"q":"sla"}'] };
const readFile = { id: 'call_read', name: 'read_file', arguments: ['{"path"', ':"a.ts"}'] };
const runTests = { id: 'call_run', name: 'run_tests', arguments: ['{}'] };

const usage1 = chatUsageOf(100, 20, 40, 5);
const usage2 = chatUsageOf(150, 30, 90, 0);
const usage3 = chatUsageOf(210, 12, 150, 3);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Chat agentic stream, one iteration', () => {
  it('forwards a plain text answer byte for byte, parsing only the first chunk and the ends', () => {
    const events = chatScriptEvents({
      id: 'chatcmpl-1',
      text: Array.from({ length: 40 }, (_, i) => `word ${i} `),
      usage: usage1,
    });
    const observer = assembler().iteration();
    const parse = vi.spyOn(JSON, 'parse');
    const out = feedEvents(observer, events);
    // The role chunk (for the id), the finish chunk and the usage chunk; no text delta.
    const parsed = parse.mock.calls.map(([text]) => text);
    expect(parsed).toHaveLength(3);
    expect(parsed.filter((text) => text.includes('word'))).toEqual([]);
    expect(Buffer.concat(out).toString()).toBe(events.join(''));
    expect(out.every((bytes, i) => bytes.toString() === events[i])).toBe(true);
    expect(observer.end).toBe('completed');
    expect(observer.usage).toEqual({
      input: 100,
      output: 20,
      cacheRead: 40,
      cacheCreation: 0,
      reasoning: 5,
    });
  });

  it('gives the turn as final, with no calls and no replay', () => {
    const { bytes, turns } = runLoop([{ id: 'chatcmpl-1', text: ['Hi'], usage: usage1 }]);
    expect(turns[0]?.injectedCalls).toEqual([]);
    expect(turns[0]?.clientCalls).toEqual([]);
    expect(turns[0]?.replay.length).toBe(0);
    expect(turns[0]?.usage.input).toBe(100);
    expect(bytes.toString()).toBe(
      chatScriptEvents({ id: 'chatcmpl-1', text: ['Hi'], usage: usage1 }).join(''),
    );
  });

  it('hides usage from a client that did not ask, exactly as the plain stream observer does', () => {
    const events = chatStreamEvents('Hello there, how are you', true);
    const plain = new SseFramer(new ChatStreamObserver(false).onEvent).push(
      Buffer.from(events.join('')),
    );
    const observer = assembler({ usage: false }).iteration();
    const out = Buffer.concat(feedEvents(observer, events));
    expect(out.toString()).toBe(plain.toString());
    expect(out.toString()).not.toContain('usage');
    expect(observer.usage.input).toBe(31);
  });

  it('holds the client tool calls and releases them with the finish, the same calls as sent', async () => {
    const script: ChatScript = {
      id: 'chatcmpl-1',
      text: ['Let me look.'],
      calls: [readFile, runTests],
      usage: usage1,
    };
    const events = chatScriptEvents(script);
    const loop = assembler();
    const observer = loop.iteration();
    const out = feedEvents(observer, events);
    events.forEach((event, i) => {
      if (event.includes('"tool_calls"') && !event.includes('"finish_reason":"'))
        expect(out[i]?.length).toBe(0);
    });
    const finishAt = events.findIndex((event) => event.includes('"finish_reason":"tool_calls"'));
    const released = chunksOf(out[finishAt] ?? Buffer.alloc(0));
    expect(released.map((chunk) => chunk['choices'])).toEqual([
      [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: 'call_read',
                type: 'function',
                function: { name: 'read_file', arguments: '{"path":"a.ts"}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ],
      [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 1,
                id: 'call_run',
                type: 'function',
                function: { name: 'run_tests', arguments: '{}' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ],
      [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }],
    ]);
    const turn = loop.turn();
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([
      { id: 'call_read', name: 'read_file', arguments: '{"path":"a.ts"}' },
      { id: 'call_run', name: 'run_tests', arguments: '{}' },
    ]);
    expect(turn.replay.length).toBe(0);

    const completion = await sdkFinalCompletion(Buffer.concat(out));
    expect(completion.id).toBe('chatcmpl-1');
    expect(completion.choices[0]?.message.content).toBe('Let me look.');
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      {
        id: 'call_read',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"a.ts"}' },
      },
      {
        id: 'call_run',
        type: 'function',
        function: { name: 'run_tests', arguments: '{}' },
      },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.usage).toEqual(usage1);
  });
});

describe('Chat agentic stream, several iterations', () => {
  it('makes one completion of an injected call and a final answer', async () => {
    const { bytes, turns } = runLoop([
      { id: 'chatcmpl-1', text: ['Checking the ticket. '], calls: [lookup], usage: usage1 },
      { id: 'chatcmpl-2', text: ['T-1 is ', 'closed.'], usage: usage2 },
    ]);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'call_lookup', name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' },
    ]);
    expect(turns[0]?.clientCalls).toEqual([]);
    expect(turns[0]?.usage.input).toBe(100);
    expect(turns[1]?.injectedCalls).toEqual([]);
    expect(turns[1]?.usage.input).toBe(150);

    const text = bytes.toString();
    expect(text).not.toContain('mcp_');
    expect(text).not.toContain('call_lookup');
    expect(text.match(/\[DONE\]/g)).toHaveLength(1);
    const chunks = chunksOf(bytes);
    expect(new Set(chunks.map((chunk) => chunk['id']))).toEqual(new Set(['chatcmpl-1']));
    expect(chunks.filter((chunk) => chunk['usage'] !== null)).toHaveLength(1);

    const completion = await sdkFinalCompletion(bytes);
    expect(completion.id).toBe('chatcmpl-1');
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]?.message.content).toBe('Checking the ticket. T-1 is closed.');
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: 250,
      completion_tokens: 50,
      total_tokens: 300,
      prompt_tokens_details: { cached_tokens: 130, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 5, audio_tokens: 0 },
    });
  });

  it('runs three iterations, two injected calls in one turn, with events cut anywhere', async () => {
    const { bytes, turns } = runLoop(
      [
        { id: 'chatcmpl-1', calls: [lookup, search], usage: usage1 },
        { id: 'chatcmpl-2', text: ['One more look. '], calls: [search], usage: usage2 },
        { id: 'chatcmpl-3', text: ['Done: T-1 breached the SLA.'], usage: usage3 },
      ],
      { piece: 7 },
    );
    expect(turns.map((turn) => turn.injectedCalls.map((call) => call.id))).toEqual([
      ['call_lookup', 'call_search'],
      ['call_search'],
      [],
    ]);
    expect(turns[1]?.injectedCalls[0]?.arguments).toBe('{"q":"sla"}');
    const completion = await sdkFinalCompletion(bytes);
    expect(completion.id).toBe('chatcmpl-1');
    expect(completion.choices[0]?.message.content).toBe(
      'One more look. Done: T-1 breached the SLA.',
    );
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: 460,
      completion_tokens: 62,
      total_tokens: 522,
      prompt_tokens_details: { cached_tokens: 280, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 8, audio_tokens: 0 },
    });
    expect(bytes.toString()).not.toContain('mcp_');
  });

  it('gives a client that did not ask no usage at all across the loop', async () => {
    const { bytes } = runLoop(
      [
        { id: 'chatcmpl-1', text: ['A '], calls: [lookup], usage: usage1 },
        { id: 'chatcmpl-2', text: ['B'], usage: usage2 },
      ],
      { usage: false },
    );
    expect(bytes.toString()).not.toContain('usage');
    const completion = await sdkFinalCompletion(bytes, false);
    expect(completion.choices[0]?.message.content).toBe('A B');
    expect(completion.usage).toBeUndefined();
  });

  it('releases the final turn’s client calls from index 0 under the first id', async () => {
    const { bytes, turns } = runLoop([
      { id: 'chatcmpl-1', calls: [lookup], usage: usage1 },
      { id: 'chatcmpl-2', text: ['Now your tools.'], calls: [readFile, runTests], usage: usage2 },
    ]);
    expect(turns[1]?.clientCalls.map((call) => call.id)).toEqual(['call_read', 'call_run']);
    const completion = await sdkFinalCompletion(bytes);
    expect(completion.id).toBe('chatcmpl-1');
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.id)).toEqual([
      'call_read',
      'call_run',
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    const indexes = chunksOf(bytes).flatMap((chunk) =>
      (
        (chunk['choices'] as { delta?: { tool_calls?: { index: number }[] } }[])[0]?.delta
          ?.tool_calls ?? []
      ).map((call) => call.index),
    );
    expect(indexes).toEqual([0, 1]);
  });

  it('drops the client calls of a turn that also called injected tools, and reports both', async () => {
    const loop = assembler();
    const first = loop.iteration();
    const mixed = feedEvents(
      first,
      chatScriptEvents({
        id: 'chatcmpl-1',
        text: ['Mixed. '],
        calls: [readFile, lookup, runTests],
        usage: usage1,
      }),
    );
    const turn = loop.turn();
    expect(turn.injectedCalls.map((call) => call.name)).toEqual(['mcp_tickets__lookup']);
    expect(turn.clientCalls.map((call) => call.name)).toEqual(['read_file', 'run_tests']);
    const replay = JSON.parse(turn.replay.toString()) as Record<string, unknown>;
    expect(replay).toEqual({
      role: 'assistant',
      content: 'Mixed. ',
      tool_calls: [
        {
          id: 'call_lookup',
          type: 'function',
          function: { name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' },
        },
      ],
    });
    const mixedText = Buffer.concat(mixed).toString();
    expect(mixedText).not.toContain('tool_calls');
    expect(mixedText).not.toContain('finish_reason":"');
    expect(mixedText).not.toContain('[DONE]');
    const second = loop.iteration();
    const final = feedEvents(
      second,
      chatScriptEvents({ id: 'x-2', text: ['Answer.'], usage: usage2 }),
    );
    const completion = await sdkFinalCompletion(Buffer.concat([...mixed, ...final]));
    expect(completion.choices[0]?.message.content).toBe('Mixed. Answer.');
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it('replays the turn’s reasoning and forwards every iteration’s reasoning deltas', () => {
    const loop = assembler();
    const observer = loop.iteration();
    const events = chatScriptEvents({
      id: 'chatcmpl-1',
      reasoning: ['I should ', 'look it up.'],
      text: ['Looking.'],
      calls: [lookup],
      usage: usage1,
    });
    const out = Buffer.concat(feedEvents(observer, events)).toString();
    expect(parseSseText(out).filter((e) => e.data.includes('reasoning_content'))).toHaveLength(2);
    expect(JSON.parse(loop.turn().replay.toString())).toEqual({
      role: 'assistant',
      content: 'Looking.',
      reasoning_content: 'I should look it up.',
      tool_calls: [
        {
          id: 'call_lookup',
          type: 'function',
          function: { name: 'mcp_tickets__lookup', arguments: '{"ticket":"T-1"}' },
        },
      ],
    });
    const second = loop.iteration();
    const finalEvents = chatScriptEvents({
      id: 'chatcmpl-2',
      reasoning: ['Closed.'],
      text: ['It is closed.'],
      usage: usage2,
    });
    const final = Buffer.concat(feedEvents(second, finalEvents)).toString();
    const thoughts = chunksOf(Buffer.from(final)).filter((chunk) =>
      JSON.stringify(chunk).includes('"reasoning_content":"Closed."'),
    );
    expect(thoughts).toHaveLength(1);
    expect(thoughts[0]?.['id']).toBe('chatcmpl-1');
  });

  it('keeps what a provider attaches to a call (Gemini thought signatures) in replay and release', () => {
    const signed = (events: string[]): string[] =>
      events.map((event) =>
        event.replace(
          /("id":"call_[a-z]+","type":"function")/,
          '$1,"extra_content":{"google":{"thought_signature":"sig=="}}',
        ),
      );
    const loop = assembler();
    feedEvents(
      loop.iteration(),
      signed(chatScriptEvents({ id: 'c-1', calls: [search], usage: usage1 })),
    );
    expect(JSON.parse(loop.turn().replay.toString())).toMatchObject({
      tool_calls: [
        { id: 'call_search', extra_content: { google: { thought_signature: 'sig==' } } },
      ],
    });
    const final = Buffer.concat(
      feedEvents(
        loop.iteration(),
        signed(chatScriptEvents({ id: 'c-2', calls: [readFile], usage: usage2 })),
      ),
    );
    const released = chunksOf(final).flatMap(
      (chunk) =>
        (chunk['choices'] as { delta?: { tool_calls?: unknown[] } }[])[0]?.delta?.tool_calls ?? [],
    );
    expect(released).toEqual([
      {
        index: 0,
        id: 'call_read',
        type: 'function',
        function: { name: 'read_file', arguments: '{"path":"a.ts"}' },
        extra_content: { google: { thought_signature: 'sig==' } },
      },
    ]);
  });

  it('replays content with null when the turn had only calls', () => {
    const loop = assembler();
    feedEvents(loop.iteration(), chatScriptEvents({ id: 'c', calls: [search], usage: usage1 }));
    expect(JSON.parse(loop.turn().replay.toString())).toMatchObject({ content: null });
  });

  it('keeps choices other than 0 with the final turn and drops them with a continued one', async () => {
    const loop = assembler({ n: 2 });
    const otherChoice = (id: string, text: string): string[] =>
      chatScriptEvents({ id, text: [text], usage: usage1 }, true)
        .slice(0, -2)
        .map((event) => event.replace('"index":0', '"index":1'));
    const first = chatScriptEvents({ id: 'c-1', calls: [lookup], usage: usage1 });
    const firstOut = feedEvents(loop.iteration(), [
      ...first.slice(0, 2),
      ...otherChoice('c-1', 'other, first try'),
      ...first.slice(2),
    ]);
    const second = chatScriptEvents({ id: 'c-2', text: ['Main answer.'], usage: usage2 });
    const secondOut = feedEvents(loop.iteration(), [
      ...second.slice(0, 2),
      ...otherChoice('c-2', 'other, final'),
      ...second.slice(2),
    ]);
    const bytes = Buffer.concat([...firstOut, ...secondOut]);
    expect(bytes.toString()).not.toContain('first try');
    const completion = await sdkFinalCompletion(bytes);
    expect(completion.choices.map((choice) => choice.message.content)).toEqual([
      'Main answer.',
      'other, final',
    ]);
  });
});

describe('Chat agentic stream, errors and cuts', () => {
  it('forwards an upstream error chunk mid-iteration and ends with error', () => {
    const events = chatScriptEvents({ id: 'c', text: ['partial'], calls: [lookup], usage: usage1 });
    const cutAt = events.findIndex((event) => event.includes('"tool_calls"'));
    const error = chatStreamError('The server had an error');
    const observer = assembler().iteration();
    const out = feedEvents(observer, [...events.slice(0, cutAt + 1), error]);
    expect(out[out.length - 1]?.toString()).toBe(error);
    expect(observer.end).toBe('error');
    expect(observer.errorMessage).toBe('The server had an error');
  });

  it('forwards an upstream error in a continuation: the SDK throws the API error', async () => {
    const loop = assembler();
    const first = feedEvents(
      loop.iteration(),
      chatScriptEvents({ id: 'c-1', text: ['So far. '], calls: [lookup], usage: usage1 }),
    );
    loop.turn();
    const observer = loop.iteration();
    const second = feedEvents(observer, [
      ...chatScriptEvents({ id: 'c-2', text: ['half'], usage: usage2 }).slice(0, 2),
      chatStreamError('overloaded'),
    ]);
    expect(observer.end).toBe('error');
    await expect(sdkFinalCompletion(Buffer.concat([...first, ...second]))).rejects.toThrow(
      /overloaded/,
    );
  });

  it('leaves end undefined on a cut stream and never releases held calls', () => {
    const events = chatScriptEvents({ id: 'c', text: ['x'], calls: [readFile], usage: usage1 });
    const finishAt = events.findIndex((event) => event.includes('"finish_reason":"tool_calls"'));
    const observer = assembler().iteration();
    const bytes = Buffer.from(events.slice(0, finishAt).join('') + 'data: {"id":"c","obj');
    const framer = new SseFramer(observer.onEvent);
    const out = framer.push(bytes).toString();
    expect(observer.end).toBeUndefined();
    expect(out).not.toContain('tool_calls');
    expect(framer.pendingBytes).toBeGreaterThan(0);
  });

  it('writes errorEvent as a Chat error chunk that continues the stream', async () => {
    const loop = assembler();
    const first = feedEvents(
      loop.iteration(),
      chatScriptEvents({ id: 'c-1', text: ['Working. '], calls: [lookup], usage: usage1 }),
    );
    const event = loop.errorEvent(
      new GatewayError(429, 'rate_limit', 'all configured keys are rate-limited'),
    );
    expect(parseSseText(event.toString())).toEqual([
      {
        event: undefined,
        data: JSON.stringify({
          error: {
            message: 'all configured keys are rate-limited',
            type: 'rate_limit_error',
            param: null,
            code: 'rate_limit_exceeded',
          },
        }),
      },
    ]);
    const failure = await sdkFinalCompletion(Buffer.concat([...first, event])).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('all configured keys are rate-limited');
    expect((failure as APIError).code).toBe('rate_limit_exceeded');
  });
});
