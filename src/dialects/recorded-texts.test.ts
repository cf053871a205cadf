import { describe, expect, it } from 'vitest';
import type { SseEventView } from '../sse/framer.js';
import { anthropicMessages } from './anthropic-messages/dialect.js';
import { boundedText, MAX_RECORDED_TEXT, TextCollector } from './bounded-text.js';
import type { Dialect, StreamObserver } from './dialect.js';
import { scanJson, type JsonObjectText } from './json-object.js';
import { openaiChat } from './openai-chat/dialect.js';
import { openaiResponses } from './openai-responses/dialect.js';
import { parseBridgeRequest } from './bridge-request.js';

/*
 * What each dialect hands the record: the last user prompt of a request, the model's
 * reasoning text of an answer (whole or streamed), and usage counts beyond the five.
 */

function json(value: unknown): JsonObjectText {
  const scan = scanJson(Buffer.from(JSON.stringify(value)));
  if (scan.kind !== 'object') throw new Error('not an object');
  return scan.object;
}

function view(data: unknown): SseEventView {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return { data: () => text, raw: () => Buffer.from(`data: ${text}\n\n`) };
}

function feed(observer: StreamObserver, events: readonly [string, unknown][]): StreamObserver {
  for (const [type, data] of events) observer.onEvent(type, view(data));
  return observer;
}

function observe(dialect: Dialect, body: unknown, collectThoughts: boolean): StreamObserver {
  const request = parseBridgeRequest(Buffer.from(JSON.stringify(body)));
  return dialect.observeStream(request, { collectThoughts });
}

describe('the last user prompt', () => {
  it('Messages: the text blocks of the last user turn that has any', () => {
    const body = json({
      model: 'm',
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'x', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'run it' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            { type: 'text', text: 'and tell me' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't2', name: 'x', input: {} }] },
        // A follow-up carrying only a tool result is not a prompt: the one before is.
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't2', content: 'ok' }] },
      ],
    });
    expect(anthropicMessages.promptOf(body)).toBe('run it\nand tell me');
    expect(anthropicMessages.promptOf(json({ model: 'm', messages: [] }))).toBeUndefined();
    expect(anthropicMessages.promptOf(json({ model: 'm' }))).toBeUndefined();
  });

  it('Chat Completions: a string or the text parts of the last user message', () => {
    expect(
      openaiChat.promptOf(
        json({
          model: 'm',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'hello there' },
          ],
        }),
      ),
    ).toBe('hello there');
    expect(
      openaiChat.promptOf(
        json({
          model: 'm',
          messages: [
            { role: 'user', content: 'older' },
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: { url: 'data:,' } },
                { type: 'text', text: 'what is this?' },
              ],
            },
            { role: 'tool', tool_call_id: 'c', content: 'result' },
          ],
        }),
      ),
    ).toBe('what is this?');
  });

  it('Responses: input as a string, or the last user message among the items', () => {
    expect(openaiResponses.promptOf(json({ model: 'm', input: 'just this' }))).toBe('just this');
    expect(
      openaiResponses.promptOf(
        json({
          model: 'm',
          input: [
            { role: 'developer', content: 'system prompt' },
            {
              type: 'message',
              role: 'user',
              content: [{ type: 'input_text', text: 'fix the bug' }],
            },
            { type: 'function_call', call_id: 'c', name: 'shell', arguments: '{}' },
            { type: 'function_call_output', call_id: 'c', output: 'done' },
          ],
        }),
      ),
    ).toBe('fix the bug');
  });

  it('is bounded, with a marker saying how much was cut', () => {
    const long = 'x'.repeat(MAX_RECORDED_TEXT + 10);
    const prompt = openaiChat.promptOf(
      json({ model: 'm', messages: [{ role: 'user', content: long }] }),
    );
    expect(prompt).toBe(`${'x'.repeat(MAX_RECORDED_TEXT)}\n…[truncated: 10 more characters]`);
    expect(boundedText('short')).toBe('short');
  });
});

describe('thoughts of a complete answer', () => {
  it('Messages: the thinking blocks', () => {
    const answer = json({
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'thinking', thinking: 'Done.', signature: 'sig' },
        { type: 'text', text: 'The answer.' },
      ],
    });
    expect(anthropicMessages.thoughtsOf(answer)).toBe('Let me think.\n\nDone.');
    expect(anthropicMessages.thoughtsOf(json({ content: [{ type: 'text', text: 'x' }] }))).toBe(
      undefined,
    );
  });

  it('Chat Completions: reasoning_content or reasoning of the first choice', () => {
    const answer = (message: object): JsonObjectText =>
      json({ choices: [{ index: 0, message: { role: 'assistant', content: 'hi', ...message } }] });
    expect(openaiChat.thoughtsOf(answer({ reasoning_content: 'hmm' }))).toBe('hmm');
    expect(openaiChat.thoughtsOf(answer({ reasoning: 'also hmm' }))).toBe('also hmm');
    expect(openaiChat.thoughtsOf(answer({}))).toBeUndefined();
  });

  it('Responses: the summaries and reasoning text of the reasoning items', () => {
    const answer = json({
      output: [
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'Planning.' }],
          encrypted_content: 'gAAAA',
        },
        {
          type: 'reasoning',
          id: 'rs_2',
          summary: [],
          content: [{ type: 'reasoning_text', text: 'Step two.' }],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Answer.' }] },
      ],
    });
    expect(openaiResponses.thoughtsOf(answer)).toBe('Planning.\n\nStep two.');
  });
});

describe('stream observers', () => {
  const anthropicStream: [string, unknown][] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          usage: {
            input_tokens: 10,
            output_tokens: 1,
            cache_read_input_tokens: 2,
            cache_creation_input_tokens: 3,
            cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 0 },
            service_tier: 'standard',
          },
        },
      },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
    ],
    [
      'content_block_delta',
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'First, ' },
      },
    ],
    [
      'content_block_delta',
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'then.' },
      },
    ],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 's' } },
    ],
    [
      'content_block_start',
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    ],
    [
      'content_block_delta',
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Answer' } },
    ],
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn' },
        usage: { output_tokens: 7, server_tool_use: { web_search_requests: 2 } },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  ];

  it('Messages: thinking deltas only when asked, and the other usage counts', () => {
    const body = { model: 'm', stream: true, messages: [] };
    const on = feed(observe(anthropicMessages, body, true), anthropicStream);
    expect(on.thoughts()).toBe('First, then.');
    expect(on.usage).toEqual({
      input: 10,
      output: 7,
      cacheRead: 2,
      cacheCreation: 3,
      reasoning: 0,
    });
    expect(on.otherUsage()).toEqual({
      'cache_creation.ephemeral_5m_input_tokens': 3,
      'cache_creation.ephemeral_1h_input_tokens': 0,
      'server_tool_use.web_search_requests': 2,
    });
    const off = feed(observe(anthropicMessages, body, false), anthropicStream);
    expect(off.thoughts()).toBeUndefined();
    expect(off.usage).toEqual(on.usage);
  });

  it('Chat Completions: reasoning deltas, reasoning tokens and the other counts', () => {
    const body = { model: 'm', stream: true, messages: [] };
    const events: [string, unknown][] = [
      ['', { choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Think' } }] }],
      ['', { choices: [{ index: 0, delta: { reasoning_content: 'ing.' } }] }],
      ['', { choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: 'stop' }] }],
      [
        '',
        {
          choices: [],
          usage: {
            prompt_tokens: 20,
            completion_tokens: 9,
            total_tokens: 29,
            prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 5, audio_tokens: 1 },
          },
        },
      ],
      ['', '[DONE]'],
    ];
    const on = feed(observe(openaiChat, body, true), events);
    expect(on.thoughts()).toBe('Thinking.');
    expect(on.usage).toEqual({
      input: 20,
      output: 9,
      cacheRead: 4,
      cacheCreation: 0,
      reasoning: 5,
    });
    expect(on.otherUsage()).toEqual({
      'prompt_tokens_details.audio_tokens': 0,
      'completion_tokens_details.audio_tokens': 1,
    });
    expect(feed(observe(openaiChat, body, false), events).thoughts()).toBeUndefined();
  });

  it('Responses: reasoning from the completed response, reasoning tokens', () => {
    const body = { model: 'm', stream: true, input: 'x' };
    const completed = {
      type: 'response.completed',
      sequence_number: 3,
      response: {
        output: [{ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Summary.' }] }],
        usage: {
          input_tokens: 30,
          output_tokens: 12,
          total_tokens: 42,
          input_tokens_details: { cached_tokens: 6 },
          output_tokens_details: { reasoning_tokens: 8 },
        },
      },
    };
    const on = feed(observe(openaiResponses, body, true), [['response.completed', completed]]);
    expect(on.thoughts()).toBe('Summary.');
    expect(on.usage).toEqual({
      input: 30,
      output: 12,
      cacheRead: 6,
      cacheCreation: 0,
      reasoning: 8,
    });
    expect(on.otherUsage()).toBeUndefined();
    const off = feed(observe(openaiResponses, body, false), [['response.completed', completed]]);
    expect(off.thoughts()).toBeUndefined();
  });

  it('holds at most the bound while collecting', () => {
    const collector = new TextCollector(10);
    collector.add('12345');
    collector.separate();
    collector.add('abcdefgh');
    collector.add('more');
    expect(collector.text()).toBe('12345\n\nabc\n…[truncated: 9 more characters]');
  });
});

describe('usage of a complete response', () => {
  it('reads the other counts by their API names, totals left out', () => {
    expect(
      openaiResponses.otherUsageOf({
        input_tokens: 1,
        output_tokens: 2,
        total_tokens: 3,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 1 },
      }),
    ).toBeUndefined();
    expect(
      anthropicMessages.otherUsageOf({
        input_tokens: 1,
        output_tokens: 2,
        server_tool_use: { web_search_requests: 1, web_fetch_requests: 2 },
      }),
    ).toEqual({
      'server_tool_use.web_search_requests': 1,
      'server_tool_use.web_fetch_requests': 2,
    });
    expect(
      openaiChat.usageOf({ completion_tokens_details: { reasoning_tokens: 4 } }).reasoning,
    ).toBe(4);
  });
});
