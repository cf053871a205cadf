import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { MockUpstream } from './support/mock-upstream.js';
import { parseSseText } from './support/sse-text.js';

const BIN = fileURLToPath(new URL('../bin/switchyard', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-lifecycle-'));
const KEY = 'sk-ant-lifecycle-key-never-printed-5150';
const TOKEN = 'lifecycle-gateway-token-8d1e';

/** A `switchyard serve` process, its output as it comes, and its exit. */
interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  /** Parsed JSON log lines so far. */
  readonly lines: () => Record<string, unknown>[];
}

let upstream: MockUpstream;

beforeAll(async () => {
  upstream = await MockUpstream.start();
});
afterAll(async () => {
  await upstream.close();
});

async function serve(extra: string): Promise<Served> {
  const file = join(dir, `lifecycle-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    [
      'listen: 127.0.0.1:0',
      'providers:',
      '  - name: anthropic',
      '    type: anthropic',
      `    base_url: ${upstream.url}`,
      '    keys: ["${KEY}"]',
      'auth:',
      '  tokens:',
      '    - { user: alice, token: "${TOKEN}" }',
      extra,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [BIN, 'serve', '--config', file], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', KEY, TOKEN },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await expect
    .poll(() => /"url":"(http:[^"]+)"/.exec(stdout)?.[1], { timeout: 5000 })
    .toBeDefined();
  return {
    child,
    url: /"url":"(http:[^"]+)"/.exec(stdout)?.[1] ?? '',
    exited,
    stdout: () => stdout,
    lines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

function message(stream: boolean) {
  return JSON.stringify({ model: 'claude-test', max_tokens: 8, stream, messages: [] });
}

function post(url: string, stream = false) {
  return request(`${url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: message(stream),
  });
}

async function status(url: string, path: string, method: 'GET' | 'POST' = 'GET') {
  const response = await request(`${url}${path}`, { method });
  await response.body.dump();
  return response;
}

describe('signals', () => {
  it('SIGHUP does not stop the gateway; it reloads the configuration', async () => {
    upstream.script = () => ({ status: 200, body: { type: 'message', content: [] } });
    const served = await serve('');
    try {
      served.child.kill('SIGHUP');
      await expect.poll(served.stdout, { timeout: 3000 }).toContain('"trigger":"SIGHUP"');
      expect(served.stdout()).toContain('configuration reloaded');
      expect((await status(served.url, '/healthz')).statusCode).toBe(200);
      const response = await post(served.url);
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      expect(served.child.exitCode).toBeNull();
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exited).toBe(0);
  });

  it('during shutdown_delay /readyz is 503 while /healthz and bridged routes still answer', async () => {
    upstream.script = () => ({ status: 200, body: { type: 'message', content: [] } });
    const served = await serve('shutdown_delay: 5s');
    expect((await status(served.url, '/readyz')).statusCode).toBe(200);
    const signalled = Date.now();
    served.child.kill('SIGTERM');
    // The contract's signal to a load balancer: /readyz turns 503 at once.
    await expect
      .poll(async () => (await status(served.url, '/readyz')).statusCode, { timeout: 3000 })
      .toBe(503);
    expect((await status(served.url, '/healthz')).statusCode).toBe(200);
    const response = await post(served.url);
    expect(response.statusCode).toBe(200);
    await response.body.dump();
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(await served.exited).toBe(0);
    expect(served.stdout()).toContain('shutdown_delay');
  });

  it('when the grace ends, an open stream gets the error event and is recorded shutdown', async () => {
    // Two events, then silence: the stream is still open when the grace ends.
    upstream.script = () => ({ sse: anthropicStreamEvents().slice(0, 2), then: 'stall' });
    const served = await serve('shutdown_grace: 300ms');
    const response = await post(served.url, true);
    expect(response.statusCode).toBe(200);
    const text = response.body.text();
    await expect.poll(() => upstream.requests.length).toBeGreaterThan(0);
    served.child.kill('SIGTERM');
    const events = parseSseText(await text);
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'error']);
    expect(JSON.parse(events[2]?.data ?? '{}')).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'the gateway is shutting down' },
    });
    expect(await served.exited).toBe(0);
    const interception = served.lines().find((line) => line['msg'] === 'interception')?.[
      'interception'
    ] as Record<string, unknown> | undefined;
    expect(interception?.['outcome']).toBe('shutdown');
    expect(response.headers['x-switchyard-request-id']).toBe(interception?.['id']);
    expect(served.stdout()).not.toContain(KEY);
    expect(served.stdout()).not.toContain(TOKEN);
  });

  it('a second signal exits at once and says so', async () => {
    upstream.script = () => ({ sse: anthropicStreamEvents().slice(0, 2), then: 'stall' });
    const served = await serve('shutdown_grace: 60s');
    const response = await post(served.url, true);
    const text = response.body.text().catch(() => 'cut off');
    await expect.poll(() => upstream.requests.length).toBeGreaterThan(0);
    served.child.kill('SIGTERM');
    await expect.poll(served.stdout, { timeout: 3000 }).toContain('shutting down');
    const before = Date.now();
    served.child.kill('SIGINT');
    expect(await served.exited).toBe(1);
    // Far sooner than the 60 s grace.
    expect(Date.now() - before).toBeLessThan(5000);
    expect(served.stdout()).toContain('second signal: exiting now');
    await text;
  });
});

describe('probes', () => {
  it('wrong methods on /healthz and /readyz get 405 with Allow', async () => {
    const served = await serve('');
    try {
      for (const path of ['/healthz', '/readyz']) {
        const response = await status(served.url, path, 'POST');
        expect(response.statusCode).toBe(405);
        expect(response.headers['allow']).toBe('GET, HEAD');
        expect(response.headers['x-switchyard-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
