import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { maskedHint } from '../src/log/masked-hint.js';
import { anthropicMessage, anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';

const keys = [0, 1].map((i) => `sk-test-anthropic-${i}-${randomBytes(10).toString('hex')}`);
const BYOK = `sk-ant-byok-${randomBytes(10).toString('hex')}`;

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'anthropic', type: 'anthropic', keys }] });
  harness.upstream.script = (seen) =>
    seen.url.startsWith('/v1/messages?') || seen.url === '/v1/messages'
      ? (JSON.parse(seen.body.toString()) as { stream?: boolean }).stream === true
        ? { sse: anthropicStreamEvents() }
        : { status: 200, body: anthropicMessage() }
      : { status: 200, body: { data: [{ id: 'claude-test' }], has_more: false } };
});
afterEach(async () => {
  await harness.close();
});

const post = (path: string, headers: Record<string, string>, body: unknown) =>
  request(`${harness.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const messageBody = {
  model: 'claude-opus-4-8',
  max_tokens: 64000,
  messages: [{ role: 'user', content: 'Hi' }],
};

describe('header hygiene', () => {
  it('forwards API and unknown headers and the query string, never credentials or hop-by-hop headers', async () => {
    // node:http, because undici refuses to send connection-level headers at all.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${harness.url}/anthropic/v1/messages?beta=true`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': TOKEN,
            'anthropic-version': '2023-06-01',
            'anthropic-beta': 'interleaved-thinking-2025-05-14,context-management-2025-06-27',
            'x-claude-code-session-id': 'session-123',
            'x-custom-unknown': 'kept',
            'keep-alive': 'timeout=5',
            te: 'trailers',
            'proxy-authorization': 'Basic c2VjcmV0',
            connection: 'keep-alive, x-drop-me',
            'x-drop-me': 'listed in Connection',
            cookie: 'session=abc',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(messageBody));
    });
    expect(status).toBe(200);
    const [seen] = harness.upstream.requests;
    expect(seen?.url).toBe('/v1/messages?beta=true');
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['anthropic-beta']).toBe(
      'interleaved-thinking-2025-05-14,context-management-2025-06-27',
    );
    expect(seen?.headers['x-claude-code-session-id']).toBe('session-123');
    expect(seen?.headers['x-custom-unknown']).toBe('kept');
    expect(seen?.headers['x-api-key']).toBe(keys[0]);
    expect(seen?.headers.authorization).toBeUndefined();
    for (const dropped of [
      'keep-alive',
      'te',
      'proxy-authorization',
      'x-drop-me',
      'cookie',
      'x-switchyard-token',
    ]) {
      expect(seen?.headers[dropped]).toBeUndefined();
    }
    expect(JSON.stringify(seen?.headers)).not.toContain(TOKEN);
  });

  it('forwards the body byte for byte, unknown fields and all', async () => {
    const raw =
      '{"model":"claude-opus-4-8","max_tokens":64000,"thinking":{"type":"adaptive"},"temperature":null,' +
      '"context_management":{"edits":[]},"metadata":{"user_id":"{\\"a\\":1}"},"future_field":[1e400,12345678901234567890],' +
      '"messages":[{"role":"system","content":"s"},{"role":"user","content":"Hi"}]}';
    const response = await post('/anthropic/v1/messages', { 'x-api-key': TOKEN }, raw);
    await response.body.dump();
    expect(harness.upstream.requests[0]?.body.toString()).toBe(raw);
  });

  it('takes an SDK 1.x Authorization: Bearer gateway token and sends the pool key as x-api-key', async () => {
    const response = await post(
      '/anthropic/v1/messages',
      { authorization: `Bearer ${TOKEN}` },
      messageBody,
    );
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    const [seen] = harness.upstream.requests;
    expect(seen?.headers['x-api-key']).toBe(keys[0]);
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it('BYOK sends the caller credential unchanged; x-api-key wins over Authorization', async () => {
    const both = await post(
      '/anthropic/v1/messages',
      {
        'x-switchyard-token': TOKEN,
        'x-api-key': BYOK,
        authorization: 'Bearer sk-other-credential-000',
      },
      messageBody,
    );
    await both.body.dump();
    const oauth = await post(
      '/anthropic/v1/messages',
      { 'x-switchyard-token': TOKEN, authorization: 'Bearer sk-ant-oat-oauth-token-0001' },
      messageBody,
    );
    await oauth.body.dump();
    const [first, second] = harness.upstream.requests;
    expect(first?.headers['x-api-key']).toBe(BYOK);
    expect(first?.headers.authorization).toBeUndefined();
    expect(second?.headers.authorization).toBe('Bearer sk-ant-oat-oauth-token-0001');
    expect(second?.headers['x-api-key']).toBeUndefined();
    expect(harness.interceptions.map((i) => [i.credentialKind, i.keyHint])).toEqual([
      ['byok', maskedHint(BYOK)],
      ['byok', maskedHint('sk-ant-oat-oauth-token-0001')],
    ]);
    for (const seen of harness.upstream.requests)
      expect(seen.headers['x-switchyard-token']).toBeUndefined();
  });
});

describe('passthrough', () => {
  it('lists models with a pool key and fails over like a bridged call', async () => {
    let calls = 0;
    harness.upstream.script = (seen) =>
      seen.key === keys[0] && calls++ === 0
        ? {
            status: 429,
            headers: { 'retry-after': '20' },
            body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } },
          }
        : { status: 200, body: { data: [{ id: 'claude-test' }], has_more: false } };
    const response = await request(`${harness.url}/anthropic/v1/models?limit=5`, {
      headers: { 'x-api-key': TOKEN },
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toEqual({ data: [{ id: 'claude-test' }], has_more: false });
    expect(harness.upstream.requests.map((r) => [r.method, r.url, r.key])).toEqual([
      ['GET', '/v1/models?limit=5', keys[0]],
      ['GET', '/v1/models?limit=5', keys[1]],
    ]);
    expect(harness.gateway.providers[0]?.pool.keys[0]?.state()).toBe('temporary');
  });

  it('gets one model and counts tokens', async () => {
    const one = await request(`${harness.url}/anthropic/v1/models/claude-opus-4-8`, {
      headers: { 'x-api-key': TOKEN },
    });
    await one.body.dump();
    harness.upstream.script = () => ({ status: 200, body: { input_tokens: 11 } });
    const count = await post(
      '/anthropic/v1/messages/count_tokens',
      { 'x-api-key': TOKEN },
      messageBody,
    );
    expect(await count.body.json()).toEqual({ input_tokens: 11 });
    expect(harness.upstream.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/v1/models/claude-opus-4-8'],
      ['POST', '/v1/messages/count_tokens'],
    ]);
    expect(harness.upstream.requests[1]?.body.toString()).toBe(JSON.stringify(messageBody));
  });

  it('relays an upstream error with its status, body and Retry-After', async () => {
    harness.upstream.script = () => ({
      status: 503,
      headers: { 'retry-after': '7' },
      body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } },
    });
    const response = await request(`${harness.url}/anthropic/v1/models`, {
      headers: { 'x-api-key': TOKEN },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(await response.body.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'busy' },
    });
  });
});

describe('usage extraction', () => {
  it('records input, output and cache tokens for blocking and streaming calls', async () => {
    const client = new Anthropic({
      baseURL: `${harness.url}/anthropic`,
      apiKey: TOKEN,
      maxRetries: 0,
    });
    await client.messages.create({
      model: 'claude-test',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await client.messages
      .stream({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(12);
    const expected = { input: 25, output: 12, cacheRead: 7, cacheCreation: 3, reasoning: 0 };
    expect(harness.interceptions.map((i) => [i.streaming, i.outcome, i.usage])).toEqual([
      [false, 'completed', expected],
      [true, 'completed', expected],
    ]);
    expect(harness.interceptions[0]).toMatchObject({
      user: 'alice',
      provider: 'anthropic',
      model: 'claude-test',
      status: 200,
    });
  });
});

describe('upstream quirks', () => {
  it('decodes a gzip body the upstream sent unasked', async () => {
    harness.upstream.script = () => (_seen, res) => {
      const body = gzipSync(JSON.stringify(anthropicMessage('zipped')));
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': body.length,
      });
      res.end(body);
    };
    const response = await post('/anthropic/v1/messages', { 'x-api-key': TOKEN }, messageBody);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(((await response.body.json()) as { content: { text: string }[] }).content[0]?.text).toBe(
      'zipped',
    );
    expect(harness.interceptions[0]?.usage.input).toBe(25);
  });
});

describe('client hang-up', () => {
  it('aborts the upstream request and records the interception as cancelled', async () => {
    let upstreamClosed = false;
    harness.upstream.script = () => async (_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(anthropicStreamEvents()[0]);
      res.on('close', () => {
        upstreamClosed = true;
      });
      await new Promise(() => undefined);
    };
    const controller = new AbortController();
    const response = await request(`${harness.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
      body: JSON.stringify({ ...messageBody, stream: true }),
      signal: controller.signal,
    });
    await once(response.body, 'data');
    controller.abort();
    await expect.poll(() => upstreamClosed, { timeout: 1000 }).toBe(true);
    await expect.poll(() => harness.interceptions[0]?.outcome, { timeout: 1000 }).toBe('cancelled');
  });
});

describe('admin API', () => {
  const admin = (path: string, method = 'GET', token = ADMIN_TOKEN) =>
    request(`${harness.url}${path}`, {
      method: method as 'GET',
      headers: { authorization: `Bearer ${token}` },
    });

  it('lists providers with key hints and states, and re-enables a key', async () => {
    const operator = { source: 'operator' } as const;
    harness.gateway.providers[0]?.pool.keys[0]?.markTemporary(30_000, operator);
    harness.gateway.providers[0]?.pool.keys[1]?.markPermanent(operator);
    const listed = (await (await admin('/admin/api/providers')).body.json()) as {
      name: string;
      type: string;
      keys: { index: number; hint: string; state: string; cooldown_remaining_ms: number }[];
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.name).toBe('anthropic');
    expect(listed[0]?.type).toBe('anthropic');
    expect(listed[0]?.keys.map((k) => [k.index, k.hint, k.state])).toEqual([
      [0, maskedHint(keys[0] ?? ''), 'temporary'],
      [1, maskedHint(keys[1] ?? ''), 'permanent'],
    ]);
    expect(listed[0]?.keys[0]?.cooldown_remaining_ms).toBeGreaterThan(29_000);
    expect(listed[0]?.keys[1]?.cooldown_remaining_ms).toBe(0);
    const enabled = await admin('/admin/api/providers/anthropic/keys/1/enable', 'POST');
    expect(enabled.statusCode).toBe(200);
    expect(await enabled.body.json()).toMatchObject({ index: 1, state: 'valid' });
    expect(harness.gateway.providers[0]?.pool.keys[1]?.state()).toBe('valid');
  });

  it('refuses bad tokens and answers 404 for unknown providers or keys', async () => {
    expect((await admin('/admin/api/providers', 'GET', 'wrong-token')).statusCode).toBe(401);
    expect((await admin('/admin/api/providers', 'GET', TOKEN)).statusCode).toBe(401);
    expect((await admin('/admin/api/providers/nope/keys/0/enable', 'POST')).statusCode).toBe(404);
    expect((await admin('/admin/api/providers/anthropic/keys/9/enable', 'POST')).statusCode).toBe(
      404,
    );
    expect((await admin('/admin/api/providers/anthropic/keys/0/enable', 'GET')).statusCode).toBe(
      405,
    );
    const listed = await admin('/admin/api/providers');
    expect(JSON.stringify(await listed.body.json())).not.toContain(keys[0]);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    const health = await request(`${harness.url}/healthz`);
    expect(await health.body.json()).toEqual({ status: 'ok' });
    const ready = await request(`${harness.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    expect(await ready.body.json()).toEqual({
      status: 'ready',
      checks: { database: { state: 'ok', engine: 'off' } },
    });
  });
});

describe('upstream connections', () => {
  it('reuses keep-alive connections to the provider', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await post('/anthropic/v1/messages', { 'x-api-key': TOKEN }, messageBody);
      await response.body.dump();
    }
    expect(harness.upstream.requests).toHaveLength(5);
    expect(harness.upstream.connections).toBe(1);
  });

  it('drains a failed-over response so its connection is reused too', async () => {
    harness.upstream.script = (seen) =>
      seen.key === keys[0]
        ? {
            status: 429,
            headers: { 'retry-after': '1' },
            body: {
              type: 'error',
              error: { type: 'rate_limit_error', message: 'x'.repeat(10_000) },
            },
          }
        : { status: 200, body: anthropicMessage() };
    for (let i = 0; i < 5; i++) {
      harness.gateway.providers[0]?.pool.keys[0]?.enable();
      const response = await post('/anthropic/v1/messages', { 'x-api-key': TOKEN }, messageBody);
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    }
    expect(harness.upstream.requests).toHaveLength(10);
    // Undrained bodies would pin their sockets and need a new connection for every attempt.
    expect(harness.upstream.connections).toBeLessThanOrEqual(2);
  });
});

describe('key transitions in the log', () => {
  interface LogLine {
    level: number;
    msg: string;
    key?: string;
  }
  const lines = (): LogLine[] => harness.logs.map((line) => JSON.parse(line) as LogLine);

  it('logs each real transition once with the masked hint, permanent louder than temporary', async () => {
    harness.upstream.script = (seen) =>
      seen.key === keys[0]
        ? {
            status: 429,
            headers: { 'retry-after': '60' },
            body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow' } },
          }
        : {
            status: 401,
            body: { type: 'error', error: { type: 'authentication_error', message: 'bad key' } },
          };
    for (let i = 0; i < 3; i++) {
      const response = await post('/anthropic/v1/messages', { 'x-api-key': TOKEN }, messageBody);
      await response.body.dump();
    }
    const temporary = lines().filter((l) => l.msg.includes('cooling down'));
    const permanent = lines().filter((l) => l.msg.includes('disabled until'));
    expect(temporary.map((l) => [l.level, l.key])).toEqual([[40, maskedHint(keys[0] ?? '')]]);
    expect(permanent.map((l) => [l.level, l.key])).toEqual([[50, maskedHint(keys[1] ?? '')]]);
  });
});
