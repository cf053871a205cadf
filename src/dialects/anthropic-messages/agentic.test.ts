import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import { SseFramer } from '../../sse/framer.js';
import type { IterationObserver, StreamAssembler, Turn } from '../agentic.js';
import { parseBridgeRequest } from '../bridge-request.js';
import { sdkFinalMessage } from '../../../test/support/anthropic-agentic-sdk.js';
import {
  messageStream,
  sseEvent,
  type ScriptedAnswer,
} from '../../../test/support/anthropic-agentic-script.js';
import { anthropicStreamError } from '../../../test/support/anthropic-fixtures.js';
import { parseSseText } from '../../../test/support/sse-text.js';
import { ANTHROPIC_AGENTIC } from './agentic.js';

const isInjected = (name: string): boolean => name.startsWith('mcp_');

const request = parseBridgeRequest(
  Buffer.from(
    '{"model":"claude-test","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"hi"}]}',
  ),
);

function streaming(): StreamAssembler {
  return ANTHROPIC_AGENTIC.streaming(isInjected, request);
}

/**
 * Feeds one upstream stream through the observer as the event pump does: bytes pushed into
 * the real framer in chunks of `chunk` bytes (fresh buffers, as a socket gives them), the
 * framer's output collected. Returns what the client would receive.
 */
function pump(observer: IterationObserver, events: readonly string[], chunk = Infinity): Buffer {
  const framer = new SseFramer(observer.onEvent);
  const bytes = Buffer.from(events.join(''));
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) {
    out.push(framer.push(Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + chunk)))));
  }
  return Buffer.concat(out);
}

interface LoopRun {
  readonly out: Buffer;
  readonly turns: Turn[];
  readonly assembler: StreamAssembler;
}

/** Runs the answers as the tool loop would: one observer per answer, then its turn. */
function runLoop(answers: readonly (readonly string[])[], chunk = Infinity): LoopRun {
  const assembler = streaming();
  const out: Buffer[] = [];
  const turns: Turn[] = [];
  for (const events of answers) {
    const observer = assembler.iteration();
    out.push(pump(observer, events, chunk));
    expect(observer.end).toBe('completed');
    turns.push(assembler.turn());
  }
  return { out: Buffer.concat(out), turns, assembler };
}

function eventsOf(out: Buffer): { event: string | undefined; data: Record<string, unknown> }[] {
  return parseSseText(out.toString()).map((e) => ({
    event: e.event,
    data: JSON.parse(e.data) as Record<string, unknown>,
  }));
}

/** Every event type in order, and the index of each content block event. */
function shape(out: Buffer): string[] {
  return eventsOf(out).map(({ event, data }) =>
    typeof data['index'] === 'number' ? `${event ?? ''}#${data['index']}` : (event ?? ''),
  );
}

const lookUp: ScriptedAnswer = {
  id: 'msg_first',
  blocks: [
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

describe('Anthropic agentic stream: a single final iteration', () => {
  it.each([Infinity, 1, 7, 64])(
    'forwards plain text byte for byte (chunks of %s bytes)',
    (chunk) => {
      const events = messageStream(finalText);
      const { out, turns } = runLoop([events], chunk);
      expect(out.equals(Buffer.from(events.join('')))).toBe(true);
      expect(turns[0]).toEqual({
        injectedCalls: [],
        clientCalls: [],
        usage: { input: 150, output: 30, cacheRead: 60, cacheCreation: 0, reasoning: 0 },
        replay: Buffer.alloc(0),
      });
    },
  );

  it('does not decode text deltas', () => {
    const events = messageStream({
      ...finalText,
      blocks: [
        { type: 'thinking', thinking: 'Considering the question.', signature: 'sig-1' },
        { type: 'text', text: 'The answer is 42.' },
      ],
    });
    const parse = vi.spyOn(JSON, 'parse');
    const { out } = runLoop([events]);
    expect(out.equals(Buffer.from(events.join('')))).toBe(true);
    const decoded = parse.mock.calls.map(([text]) => text);
    expect(decoded.some((text) => text.includes('"message_delta"'))).toBe(true);
    expect(
      decoded.filter((text) => text.includes('_delta"') && !text.includes('message_delta')),
    ).toEqual([]);
  });

  it('holds a client tool call until the turn is known, then releases it unchanged', () => {
    const answer: ScriptedAnswer = {
      id: 'msg_client',
      blocks: [
        { type: 'text', text: 'I will list the files.' },
        { type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'ls -la' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 40, output_tokens: 25 },
    };
    const events = messageStream(answer);
    const assembler = streaming();
    const observer = assembler.iteration();
    const framer = new SseFramer(observer.onEvent);
    const perEvent = events.map((event) => framer.push(Buffer.from(event)).toString());
    const toolEvents = perEvent.slice(6, 11);
    expect(events[6]).toContain('"tool_use"');
    expect(toolEvents).toEqual(['', '', '', '', '']);
    // message_delta releases the held block, in front of itself.
    const released = perEvent[11] ?? '';
    expect(released).toBe(events.slice(6, 12).join(''));
    expect(perEvent.join('')).toBe(events.join(''));
    expect(observer.end).toBe('completed');
    const turn = assembler.turn();
    expect(turn.injectedCalls).toEqual([]);
    expect(turn.clientCalls).toEqual([
      { id: 'toolu_bash', name: 'Bash', arguments: '{"command":"ls -la"}' },
    ]);
    expect(turn.usage).toEqual({
      input: 40,
      output: 25,
      cacheRead: 0,
      cacheCreation: 0,
      reasoning: 0,
    });
  });

  it('keeps blocks written after a client call behind it, in the model order', async () => {
    const answer: ScriptedAnswer = {
      id: 'msg_order',
      blocks: [
        { type: 'tool_use', id: 'toolu_read', name: 'Read', input: { path: 'a.txt' } },
        { type: 'text', text: 'Reading it now.' },
        { type: 'tool_use', id: 'toolu_grep', name: 'Grep', input: { pattern: 'x' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 40, output_tokens: 25 },
    };
    const { out, turns } = runLoop([messageStream(answer)]);
    expect(out.toString()).toBe(messageStream(answer).join(''));
    expect(turns[0]?.clientCalls.map((call) => call.name)).toEqual(['Read', 'Grep']);
    const message = await sdkFinalMessage(out);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_read', name: 'Read', input: { path: 'a.txt' } },
      { type: 'text', text: 'Reading it now.' },
      { type: 'tool_use', id: 'toolu_grep', name: 'Grep', input: { pattern: 'x' } },
    ]);
  });
});

describe('Anthropic agentic stream: several iterations make one message', () => {
  it('gives the SDK one message: both texts, no injected call, usage summed', async () => {
    const { out, turns } = runLoop([messageStream(lookUp), messageStream(finalText)], 13);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'toolu_inj1', name: 'mcp_docs__search', arguments: '{"q":"answer"}' },
    ]);
    expect(turns[0]?.clientCalls).toEqual([]);
    expect(turns[0]?.usage).toEqual({
      input: 100,
      output: 20,
      cacheRead: 50,
      cacheCreation: 10,
      reasoning: 0,
    });
    expect(turns[1]?.injectedCalls).toEqual([]);
    expect(turns[1]?.usage).toEqual({
      input: 150,
      output: 30,
      cacheRead: 60,
      cacheCreation: 0,
      reasoning: 0,
    });

    const text = out.toString();
    expect(text).not.toContain('mcp_docs__search');
    expect(text).not.toContain('toolu_inj1');
    expect(text).not.toContain('msg_second');
    expect(shape(out)).toEqual([
      'message_start',
      'ping',
      'content_block_start#0',
      'content_block_delta#0',
      'content_block_delta#0',
      'content_block_stop#0',
      'ping',
      'content_block_start#1',
      'content_block_delta#1',
      'content_block_delta#1',
      'content_block_stop#1',
      'message_delta',
      'message_stop',
    ]);

    const message = await sdkFinalMessage(out);
    expect(message.id).toBe('msg_first');
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look that up.' },
      { type: 'text', text: 'The answer is 42.' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: 250,
      output_tokens: 50,
      cache_read_input_tokens: 110,
      cache_creation_input_tokens: 10,
    });
  });

  it('replays the assistant turn with the injected call, its input decoded', () => {
    const { turns } = runLoop([messageStream(lookUp), messageStream(finalText)]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look that up.' },
        { type: 'tool_use', id: 'toolu_inj1', name: 'mcp_docs__search', input: { q: 'answer' } },
      ],
    });
    expect(turns[1]?.replay.length).toBe(0);
  });

  it('runs three iterations with two injected calls in one turn and thinking kept', async () => {
    const first: ScriptedAnswer = {
      id: 'msg_one',
      blocks: [
        { type: 'thinking', thinking: 'I need two lookups.', signature: 'sig-one' },
        { type: 'redacted_thinking', data: 'opaque-data' },
        { type: 'tool_use', id: 'toolu_a', name: 'mcp_docs__search', input: { q: 'a' } },
        { type: 'tool_use', id: 'toolu_b', name: 'mcp_tickets__get', input: {} },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 1 },
    };
    const second: ScriptedAnswer = {
      id: 'msg_two',
      blocks: [
        { type: 'text', text: 'One more.' },
        { type: 'tool_use', id: 'toolu_c', name: 'mcp_docs__fetch', input: { url: 'u' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 20, output_tokens: 6, cache_read_input_tokens: 2 },
    };
    const third: ScriptedAnswer = {
      id: 'msg_three',
      blocks: [
        { type: 'thinking', thinking: 'Now I know.', signature: 'sig-three' },
        { type: 'text', text: 'Done: both found.' },
      ],
      stopReason: 'end_turn',
      usage: { input_tokens: 30, output_tokens: 7, cache_read_input_tokens: 4 },
    };
    const { out, turns } = runLoop([first, second, third].map(messageStream), 5);
    expect(turns.map((turn) => turn.injectedCalls)).toEqual([
      [
        { id: 'toolu_a', name: 'mcp_docs__search', arguments: '{"q":"a"}' },
        { id: 'toolu_b', name: 'mcp_tickets__get', arguments: '{}' },
      ],
      [{ id: 'toolu_c', name: 'mcp_docs__fetch', arguments: '{"url":"u"}' }],
      [],
    ]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I need two lookups.', signature: 'sig-one' },
        { type: 'redacted_thinking', data: 'opaque-data' },
        { type: 'tool_use', id: 'toolu_a', name: 'mcp_docs__search', input: { q: 'a' } },
        { type: 'tool_use', id: 'toolu_b', name: 'mcp_tickets__get', input: {} },
      ],
    });

    expect(out.toString()).not.toMatch(/mcp_|toolu_/);
    expect(shape(out).filter((s) => s.startsWith('content_block_start'))).toEqual([
      'content_block_start#0',
      'content_block_start#1',
      'content_block_start#2',
      'content_block_start#3',
      'content_block_start#4',
    ]);
    expect(shape(out).filter((s) => /^message_(start|delta|stop)/.test(s))).toEqual([
      'message_start',
      'message_delta',
      'message_stop',
    ]);

    const message = await sdkFinalMessage(out);
    expect(message.id).toBe('msg_one');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'I need two lookups.', signature: 'sig-one' },
      { type: 'redacted_thinking', data: 'opaque-data' },
      { type: 'text', text: 'One more.' },
      { type: 'thinking', thinking: 'Now I know.', signature: 'sig-three' },
      { type: 'text', text: 'Done: both found.' },
    ]);
    expect(message.usage).toMatchObject({
      input_tokens: 60,
      output_tokens: 18,
      cache_read_input_tokens: 7,
    });
    expect(message.usage.cache_creation_input_tokens ?? 0).toBe(0);
  });

  it('drops the client calls of a turn that also called injected tools', async () => {
    const mixed: ScriptedAnswer = {
      id: 'msg_mixed',
      blocks: [
        { type: 'text', text: 'Two things at once.' },
        { type: 'tool_use', id: 'toolu_client', name: 'Bash', input: { command: 'pwd' } },
        { type: 'text', text: 'And a note.' },
        { type: 'tool_use', id: 'toolu_inj', name: 'mcp_docs__search', input: { q: 'x' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 10 },
    };
    const { out, turns } = runLoop([messageStream(mixed), messageStream(finalText)]);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'toolu_inj', name: 'mcp_docs__search', arguments: '{"q":"x"}' },
    ]);
    expect(turns[0]?.clientCalls).toEqual([
      { id: 'toolu_client', name: 'Bash', arguments: '{"command":"pwd"}' },
    ]);
    const replay = JSON.parse(turns[0]?.replay.toString() ?? '') as { content: unknown[] };
    expect(replay.content).toEqual([
      { type: 'text', text: 'Two things at once.' },
      { type: 'text', text: 'And a note.' },
      { type: 'tool_use', id: 'toolu_inj', name: 'mcp_docs__search', input: { q: 'x' } },
    ]);
    expect(out.toString()).not.toMatch(/toolu_|Bash|mcp_/);
    const message = await sdkFinalMessage(out);
    expect(message.content).toEqual([
      { type: 'text', text: 'Two things at once.' },
      { type: 'text', text: 'And a note.' },
      { type: 'text', text: 'The answer is 42.' },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 160, output_tokens: 40 });
  });

  it('releases the client calls of the final turn, renumbered after earlier iterations', async () => {
    const clientFinal: ScriptedAnswer = {
      id: 'msg_client_final',
      blocks: [
        { type: 'text', text: 'Now run this.' },
        { type: 'tool_use', id: 'toolu_edit', name: 'Edit', input: { file: 'x.ts' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 1, output_tokens: 2 },
    };
    const { out, turns } = runLoop([messageStream(lookUp), messageStream(clientFinal)]);
    expect(turns[1]?.injectedCalls).toEqual([]);
    expect(turns[1]?.clientCalls).toEqual([
      { id: 'toolu_edit', name: 'Edit', arguments: '{"file":"x.ts"}' },
    ]);
    const message = await sdkFinalMessage(out);
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look that up.' },
      { type: 'text', text: 'Now run this.' },
      { type: 'tool_use', id: 'toolu_edit', name: 'Edit', input: { file: 'x.ts' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('renumbers an event whose index the bytes do not show first', async () => {
    // The same events with `delta` written before `index`: read by decoding instead.
    const reorder = (event: string): string =>
      event.replace(
        /^(event: content_block_delta\ndata: )(.*)\n\n$/s,
        (_all, head: string, json: string) => {
          const { type, index, delta } = JSON.parse(json) as Record<string, unknown>;
          return `${head}${JSON.stringify({ type, delta, index })}\n\n`;
        },
      );
    const { out } = runLoop([messageStream(lookUp), messageStream(finalText).map(reorder)]);
    const message = await sdkFinalMessage(out);
    expect(message.content).toEqual([
      { type: 'text', text: 'Let me look that up.' },
      { type: 'text', text: 'The answer is 42.' },
    ]);
  });

  it('understands an upstream that writes no event lines', () => {
    const unnamed = (events: string[]): string[] =>
      events.map((event) => event.replace(/^event: .*\n/, ''));
    const { out, turns } = runLoop([
      unnamed(messageStream(lookUp)),
      unnamed(messageStream(finalText)),
    ]);
    expect(turns[0]?.injectedCalls.map((call) => call.id)).toEqual(['toolu_inj1']);
    const events = eventsOf(out);
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(events.map((e) => e.data['type'])).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.filter((e) => e.data['index'] !== undefined).map((e) => e.data['index'])).toEqual(
      [0, 0, 0, 0, 1, 1, 1, 1],
    );
    expect(events.at(-2)?.data['usage']).toMatchObject({ input_tokens: 250, output_tokens: 50 });
  });
});

describe('Anthropic agentic stream: errors and cuts', () => {
  it('continues the client stream with an error event the SDK throws', async () => {
    const assembler = streaming();
    const observer = assembler.iteration();
    const first = pump(observer, messageStream(lookUp));
    expect(assembler.turn().injectedCalls).toHaveLength(1);
    const error = assembler.errorEvent(
      new GatewayError(429, 'rate_limit', 'every key of the pool is rate limited'),
    );
    expect(eventsOf(error)).toEqual([
      {
        event: 'error',
        data: {
          type: 'error',
          error: { type: 'rate_limit_error', message: 'every key of the pool is rate limited' },
        },
      },
    ]);
    const failure = await sdkFinalMessage(Buffer.concat([first, error])).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).type).toBe('rate_limit_error');
    expect((failure as InstanceType<typeof Anthropic.APIError>).apiMessage).toBe(
      'every key of the pool is rate limited',
    );
  });

  it('forwards an upstream error event mid-iteration and ends the iteration with it', async () => {
    const assembler = streaming();
    const first = pump(assembler.iteration(), messageStream(lookUp));
    assembler.turn();
    const broken = [...messageStream(finalText).slice(0, 5), anthropicStreamError()];
    const observer = assembler.iteration();
    const out = pump(observer, broken);
    expect(observer.end).toBe('error');
    expect(observer.errorMessage).toBe('Overloaded');
    expect(shape(out)).toEqual([
      'ping',
      'content_block_start#1',
      'content_block_delta#1',
      'content_block_delta#1',
      'error',
    ]);
    const failure = await sdkFinalMessage(Buffer.concat([first, out])).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect((failure as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });

  it('leaves end undefined when the upstream stream is cut, and never releases held calls', () => {
    const answer: ScriptedAnswer = {
      id: 'msg_cut',
      blocks: [
        { type: 'text', text: 'About to call.' },
        { type: 'tool_use', id: 'toolu_cut', name: 'Bash', input: { command: 'ls' } },
      ],
      stopReason: 'tool_use',
      usage: { input_tokens: 3, output_tokens: 4 },
    };
    const events = messageStream(answer);
    const assembler = streaming();
    const observer = assembler.iteration();
    // Cut after the tool block, before message_delta, and mid-event.
    const cut = [...events.slice(0, -2), events.at(-2)?.slice(0, 20) ?? ''];
    const out = pump(observer, cut);
    expect(observer.end).toBeUndefined();
    expect(out.toString()).toBe(events.slice(0, 6).join(''));
    expect(out.toString()).not.toContain('toolu_cut');
    expect(observer.usage).toEqual({
      input: 3,
      output: 1,
      cacheRead: 0,
      cacheCreation: 0,
      reasoning: 0,
    });
  });

  it('reads a tool call cut short by max_tokens as an empty input in the replay', () => {
    // The input `{}` streams as '', '{' and '}': the last part becomes an unfinished string.
    const events = messageStream({
      id: 'msg_short',
      blocks: [{ type: 'tool_use', id: 'toolu_short', name: 'mcp_docs__search', input: {} }],
      stopReason: 'max_tokens',
      usage: { input_tokens: 1, output_tokens: 1 },
    }).map((event) => event.replace('"partial_json":"}"', '"partial_json":"\\"q\\": \\"unfin"'));
    const { turns } = runLoop([events]);
    expect(turns[0]?.injectedCalls).toEqual([
      { id: 'toolu_short', name: 'mcp_docs__search', arguments: '{"q": "unfin' },
    ]);
    expect(JSON.parse(turns[0]?.replay.toString() ?? '')).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_short', name: 'mcp_docs__search', input: {} }],
    });
  });

  it('forwards events of an unknown kind untouched', () => {
    const events = messageStream(finalText);
    const extra = sseEvent('future_event', { type: 'future_event', value: 1 });
    const withExtra = [...events.slice(0, 2), extra, ...events.slice(2)];
    const { out } = runLoop([withExtra]);
    expect(out.toString()).toBe(withExtra.join(''));
  });
});
