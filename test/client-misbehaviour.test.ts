import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { exchange } from './support/raw-exchange.js';

const STALL_MS = 300;
const keys = [`sk-test-client-${randomBytes(8).toString('hex')}`];

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: [{ name: 'anthropic', type: 'anthropic', keys }],
    extra: { timeouts: { idle: `${STALL_MS}ms` } },
  });
});
afterAll(async () => {
  await harness.close();
  for (const secret of [...keys, TOKEN]) expect(harness.logs.join('\n')).not.toContain(secret);
});

const streamingBody = JSON.stringify({
  model: 'claude-test',
  max_tokens: 16,
  stream: true,
  messages: [{ role: 'user', content: 'Hi' }],
});

function streamingRequest(): string {
  return (
    'POST /anthropic/v1/messages HTTP/1.1\r\nhost: gateway\r\n' +
    `x-api-key: ${TOKEN}\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(streamingBody)}\r\n\r\n${streamingBody}`
  );
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function stillServes(): Promise<void> {
  harness.upstream.script = () => ({ sse: anthropicStreamEvents('ok') });
  const response = await request(`${harness.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
    body: streamingBody,
  });
  expect(response.statusCode).toBe(200);
  expect(await response.body.text()).toContain('message_stop');
}

describe('clients that misbehave', () => {
  it('a client that stops reading a stream is cut off and its upstream request aborted', async () => {
    const pad = 'p'.repeat(256 * 1024);
    const ping = `event: ping\ndata: {"type":"ping","pad":"${pad}"}\n\n`;
    let upstreamClosed = false;
    let upstreamBytes = 0;
    harness.upstream.reset(() => async (_seen, res) => {
      res.on('close', () => {
        upstreamClosed = true;
      });
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(anthropicStreamEvents('x')[0]);
      // An endless stream, written as fast as the gateway takes it.
      while (!res.destroyed) {
        upstreamBytes += ping.length;
        if (!res.write(ping))
          await new Promise<void>((resolve) => {
            // Both listeners go once either fires: a 'close' one per drain would pile up.
            const done = (): void => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.once('drain', done);
            res.once('close', done);
          });
      }
    });
    const before = harness.interceptions.length;
    const { port } = new URL(harness.url);
    const socket = await openSocket(Number(port));
    let received = 0;
    const firstBytes = new Promise<void>((resolve) => {
      socket.once('data', (chunk: Buffer) => {
        received += chunk.length;
        // From now on the client reads nothing, like a laptop that went to sleep.
        socket.pause();
        resolve();
      });
    });
    socket.write(streamingRequest());
    await firstBytes;
    await expect.poll(() => upstreamClosed, { timeout: 5000, interval: 20 }).toBe(true);
    // The gateway held back at most what fits in socket buffers, not an endless stream.
    expect(upstreamBytes).toBeLessThan(64 * 1024 * 1024);
    expect(received).toBeGreaterThan(0);
    await expect.poll(() => harness.interceptions.length).toBe(before + 1);
    expect(harness.interceptions.at(-1)?.outcome).toBe('cancelled');
    socket.destroy();
    await stillServes();
  });

  it('a malformed request pipelined behind a stream never writes into that stream', async () => {
    const events = anthropicStreamEvents('Hello');
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    harness.upstream.reset(() => async (_seen, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events[0]);
      await finished;
      for (const event of events.slice(1)) if (!res.destroyed) res.write(event);
      res.end();
    });
    const { port } = new URL(harness.url);
    const socket = await openSocket(Number(port));
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        resolve();
      }),
    );
    const started = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (Buffer.concat(chunks).includes('message_start')) resolve();
      });
    });
    socket.on('error', () => undefined);
    socket.write(streamingRequest());
    await started;
    socket.write('GET /anthropic/v1/models HTTP/1.1\r\nhost: gateway\r\nbad header line\r\n\r\n');
    await closed;
    finish();
    const text = Buffer.concat(chunks).toString('latin1');
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(text.startsWith('HTTP/1.1 200')).toBe(true);
    await stillServes();
  });

  it.each([
    {
      name: 'headers too large, Anthropic route',
      bytes: `GET /anthropic/v1/models HTTP/1.1\r\nhost: g\r\nanthropic-version: 2023-06-01\r\nx-big: ${'a'.repeat(70 * 1024)}\r\n\r\n`,
      status: 431,
      body: /^\{"type":"error","error":\{"type":"invalid_request_error","message":"request headers are too large"/,
    },
    {
      name: 'a bad header, OpenAI route',
      bytes: 'POST /openai/v1/chat/completions HTTP/1.1\r\nhost: g\r\nbad header line\r\n\r\n',
      status: 400,
      body: /^\{"error":\{"message":"malformed HTTP request","type":"invalid_request_error"/,
    },
  ])('$name → $status in the route’s error shape', async ({ bytes, status, body }) => {
    const response = await exchange(harness.gateway.port, Buffer.from(bytes));
    if (response === 'closed') throw new Error('the gateway closed without an answer');
    expect(response.status).toBe(status);
    expect(response.body).toMatch(body);
  });
});
