import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import {
  chatCompletion,
  chatStreamEvents,
  responseObject,
  responsesStreamEvents,
} from './support/openai-fixtures.js';

const keys = [0, 1].map((i) => `sk-test-openai-${i}-${randomBytes(10).toString('hex')}`);

let harness: Harness;
let client: OpenAI;

function wantsUsage(body: Buffer): boolean {
  return (
    (JSON.parse(body.toString()) as { stream_options?: { include_usage?: boolean } }).stream_options
      ?.include_usage === true
  );
}

beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'openai', type: 'openai', keys }] });
  harness.upstream.script = (seen) => {
    const body = JSON.parse(seen.body.toString() || '{}') as { stream?: boolean };
    if (seen.url === '/v1/chat/completions') {
      return body.stream === true
        ? { sse: chatStreamEvents('Hi there', wantsUsage(seen.body)) }
        : { status: 200, body: chatCompletion('Hi there') };
    }
    if (seen.url === '/v1/responses') {
      return body.stream === true
        ? { sse: responsesStreamEvents('Hi there') }
        : { status: 200, body: responseObject('Hi there') };
    }
    return { status: 200, body: { object: 'list', data: [{ id: 'gpt-test', object: 'model' }] } };
  };
  client = new OpenAI({ baseURL: `${harness.url}/openai/v1`, apiKey: TOKEN, maxRetries: 0 });
});
afterEach(async () => {
  await harness.close();
});

const post = (path: string, body: string) =>
  request(`${harness.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
  });

const chatUsageRecorded = { input: 31, output: 9, cacheRead: 8, cacheCreation: 0, reasoning: 2 };

describe('chat completions usage', () => {
  it('a client that did not ask for usage gets exactly the chunks it would have got without the gateway', async () => {
    const raw =
      '{"model":"gpt-test","stream":true,"messages":[{"role":"user","content":"Hi"}],"seed":12345678901234567890}';
    const response = await post('/openai/v1/chat/completions', raw);
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe(chatStreamEvents('Hi there', false).join(''));
    const sent = harness.upstream.requests[0]?.body.toString();
    expect(sent).toBe(`{"stream_options":{"include_usage":true},${raw.slice(1)}`);
    expect(harness.interceptions[0]?.usage).toEqual(chatUsageRecorded);
    expect(harness.interceptions[0]?.outcome).toBe('completed');
  });

  it('a client that asked for usage gets the upstream stream untouched, usage chunk included', async () => {
    const raw =
      '{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},"messages":[]}';
    const response = await post('/openai/v1/chat/completions', raw);
    expect(await response.body.text()).toBe(chatStreamEvents('Hi there', true).join(''));
    expect(harness.upstream.requests[0]?.body.toString()).toBe(raw);
    expect(harness.interceptions[0]?.usage).toEqual(chatUsageRecorded);
  });

  it('takes usage:null out of events with id: lines and multi-line data without breaking them', async () => {
    const sent = [
      'id: 1\ndata: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}\n\n',
      'id: 2\ndata: {"id":"c1",\ndata: "usage":null,\ndata: "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
      `data: {"id":"c1","choices":[],"usage":${JSON.stringify({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 })}}\n\n`,
      'data: [DONE]\n\n',
    ];
    harness.upstream.script = () => ({ sse: sent });
    const response = await post(
      '/openai/v1/chat/completions',
      '{"model":"gpt-test","stream":true,"messages":[]}',
    );
    expect(await response.body.text()).toBe(
      'id: 1\ndata: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n' +
        // The emptied line is whitespace inside the JSON once the data lines are joined.
        'id: 2\ndata: {"id":"c1",\ndata: \ndata: "choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
        'data: [DONE]\n\n',
    );
    expect(harness.interceptions[0]?.usage).toMatchObject({ input: 3, output: 1 });
  });

  it('keeps other stream_options when it turns usage on', async () => {
    const raw =
      '{"model":"gpt-test","stream":true,"stream_options":{"include_obfuscation":false},"messages":[]}';
    const response = await post('/openai/v1/chat/completions', raw);
    await response.body.dump();
    expect(JSON.parse(harness.upstream.requests[0]?.body.toString() ?? '')).toMatchObject({
      stream_options: { include_obfuscation: false, include_usage: true },
    });
  });

  it('blocking calls are forwarded as sent and their usage recorded', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hi there');
    expect(harness.upstream.requests[0]?.body.toString()).toBe(
      JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(harness.interceptions[0]?.usage).toEqual(chatUsageRecorded);
  });

  it('works with the SDK stream helper', async () => {
    const stream = client.chat.completions.stream({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('Hi there');
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(harness.interceptions[0]?.usage).toEqual(chatUsageRecorded);
  });
});

describe('responses', () => {
  it('forwards a Codex-shaped request untouched: reasoning items, previous_response_id, unknown fields', async () => {
    const raw = JSON.stringify({
      model: 'gpt-5',
      instructions: 'You are Codex.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'rules' }] },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAB-opaque' },
        { type: 'function_call_output', id: 'fco_1', call_id: 'call_1', output: 'ok' },
      ],
      previous_response_id: 'resp_prev',
      tools: [{ type: 'namespace', name: 'ns', tools: [] }, { type: 'web_search' }],
      include: ['reasoning.encrypted_content'],
      reasoning: { summary: 'auto' },
      prompt_cache_key: 'pck',
      client_metadata: { a: 1 },
      store: false,
      stream: true,
    });
    const response = await post('/openai/v1/responses', raw);
    expect(await response.body.text()).toBe(responsesStreamEvents('Hi there').join(''));
    expect(harness.upstream.requests[0]?.body.toString()).toBe(raw);
    expect(harness.interceptions[0]).toMatchObject({
      dialect: 'openai-responses',
      model: 'gpt-5',
      outcome: 'completed',
      usage: { input: 41, output: 17, cacheRead: 16, cacheCreation: 0, reasoning: 5 },
    });
  });

  it('works with the SDK stream helper and blocking calls', async () => {
    const final = await client.responses.stream({ model: 'gpt-test', input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('Hi there');
    const blocking = await client.responses.create({ model: 'gpt-test', input: 'Hi' });
    expect(blocking.output_text).toBe('Hi there');
    expect(harness.interceptions.map((i) => i.usage.output)).toEqual([17, 17]);
  });

  it('passes stored-response endpoints and model lists through with a pool key', async () => {
    const calls: [string, string][] = [
      ['GET', '/openai/v1/responses/resp_abc123'],
      ['GET', '/openai/v1/responses/resp_abc123/input_items?limit=5'],
      ['POST', '/openai/v1/responses/resp_abc123/cancel'],
      ['DELETE', '/openai/v1/responses/resp_abc123'],
      ['GET', '/openai/v1/models'],
      ['GET', '/openai/v1/models/ft:gpt-4o:org:custom:id1'],
    ];
    for (const [method, path] of calls) {
      const response = await request(`${harness.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    }
    expect(harness.upstream.requests.map((r) => [r.method, r.url, r.key])).toEqual(
      calls.map(([method, path]) => [method, path.replace('/openai', ''), keys[0]]),
    );
    for (const seen of harness.upstream.requests)
      expect(seen.headers.authorization).toBe(`Bearer ${keys[0]}`);
  });

  it('relays a stored response replayed as a stream event by event, not when it ends', async () => {
    const events = responsesStreamEvents('Hi there');
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    harness.upstream.script = () => async (_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events[0]);
      await released;
      for (const event of events.slice(1)) res.write(event);
      res.end();
    };
    const response = await request(`${harness.url}/openai/v1/responses/resp_abc123?stream=true`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const reader = response.body[Symbol.asyncIterator]();
    // The first event arrives while the upstream is still holding the rest back.
    const first = await reader.next();
    expect(Buffer.from(first.value as Uint8Array).toString()).toBe(events[0]);
    release();
    let rest = '';
    for (let next = await reader.next(); next.done !== true; next = await reader.next())
      rest += Buffer.from(next.value as Uint8Array).toString();
    expect(rest).toBe(events.slice(1).join(''));
    expect(harness.upstream.requests[0]?.url).toBe('/v1/responses/resp_abc123?stream=true');
  });

  it('answers HEAD on a model with the length GET would have', async () => {
    harness.upstream.script = () => (_seen, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '57' });
      res.end();
    };
    const response = await request(`${harness.url}/openai/v1/models/gpt-test`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe('57');
    await response.body.dump();
  });

  it('relays an upstream response.failed as the API sent it', async () => {
    const failed = `event: response.failed\ndata: ${JSON.stringify({
      type: 'response.failed',
      sequence_number: 1,
      response: {
        ...responseObject('', 'failed'),
        error: { code: 'server_error', message: 'boom' },
      },
    })}\n\n`;
    harness.upstream.script = () => ({ sse: [responsesStreamEvents()[0] ?? '', failed] });
    const response = await post(
      '/openai/v1/responses',
      '{"model":"gpt-test","stream":true,"input":"x"}',
    );
    expect(await response.body.text()).toBe((responsesStreamEvents()[0] ?? '') + failed);
    expect(harness.interceptions[0]).toMatchObject({ outcome: 'upstream_error', error: 'boom' });
  });
});

describe('Retry-After on relayed errors', () => {
  it.each(['/openai/v1/chat/completions', '/openai/v1/responses'])(
    '%s relays Retry-After and retry-after-ms',
    async (path) => {
      harness.upstream.script = () => ({
        status: 503,
        headers: { 'retry-after': '4', 'retry-after-ms': '3500' },
        body: { error: { message: 'busy', type: 'server_error', param: null, code: null } },
      });
      const response = await post(
        path,
        '{"model":"gpt-test","stream":true,"messages":[],"input":"x"}',
      );
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('4');
      expect(response.headers['retry-after-ms']).toBe('3500');
      expect(await response.body.json()).toEqual({
        error: { message: 'busy', type: 'server_error', param: null, code: null },
      });
      expect(harness.upstream.requests).toHaveLength(1);
    },
  );
});
