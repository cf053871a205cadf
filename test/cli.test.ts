import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { MockUpstream } from './support/mock-upstream.js';

const BIN = fileURLToPath(new URL('../bin/switchyard', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
const SECRET = 'sk-ant-secret-value-do-not-print-4242';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out: ${stdout} ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('configuration errors stop startup with one line naming provider and field', () => {
  const cases = [
    {
      name: 'empty key list',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: []\n`,
      expect: ['provider "anthropic"', 'keys', 'no keys'],
    },
    {
      name: 'duplicate key',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["${SECRET}", "${SECRET}"]\n`,
      expect: ['provider "anthropic"', 'keys[1]', 'duplicate key'],
    },
    {
      name: 'duplicate key from the environment',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["\${KEY_A}", "\${KEY_B}"]\n`,
      env: { KEY_A: SECRET, KEY_B: SECRET },
      expect: ['provider "anthropic"', 'keys[1]', 'duplicate key'],
    },
    {
      name: 'bad provider name',
      yaml: `providers:\n  - name: Anthropic_EU\n    type: anthropic\n    keys: ["${SECRET}"]\n`,
      expect: ['provider "Anthropic_EU"', 'name', 'lower-case'],
    },
    {
      name: 'unknown field',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["${SECRET}"]\n    weight: 3\n`,
      expect: ['provider "anthropic"', 'unknown field "weight"'],
    },
    {
      name: 'unknown top-level field',
      yaml: `listen: 127.0.0.1:0\nlisten_port: 9\nproviders: []\n`,
      expect: ['unknown field "listen_port"'],
    },
    {
      name: 'missing env var',
      yaml: `providers:\n  - name: openai\n    type: openai\n    keys: ["${SECRET}", "\${OPENAI_KEY_B}"]\n`,
      expect: ['provider "openai"', 'keys[1]', 'OPENAI_KEY_B is not set'],
    },
    {
      name: 'unknown provider type',
      yaml: `providers:\n  - name: gemini\n    type: google\n    keys: ["${SECRET}"]\n`,
      expect: ['provider "gemini"', 'type'],
    },
    {
      name: 'invalid YAML on a line holding a secret',
      yaml: `providers:\n  - name: anthropic\n    keys: ["${SECRET}"\n  type: [\n`,
      expect: ['invalid YAML'],
    },
  ];

  it.each(cases)('$name', async (c) => {
    const file = configFile(`${c.name.replaceAll(' ', '-')}.yaml`, c.yaml);
    const result = await run(['serve', '--config', file], c.env ?? {});
    expect(result.code).toBe(78);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^switchyard: config error: /);
    for (const part of c.expect) expect(lines[0]).toContain(part);
    expect(result.stderr + result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toMatch(/\s+at .+:\d+:\d+/);
  });

  it('environment-only quick start: duplicate key in ANTHROPIC_API_KEYS', async () => {
    const result = await run(['serve'], { ANTHROPIC_API_KEYS: `${SECRET},${SECRET}` });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('provider "anthropic"');
    expect(result.stderr).toContain('duplicate key');
    expect(result.stderr).not.toContain(SECRET);
  });
});

describe('command line', () => {
  it('with no provider at all prints what to set and exits 2', async () => {
    const result = await run(['serve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ANTHROPIC_API_KEYS');
    expect(result.stderr).toContain('switchyard demo');
    expect(result.stderr.split('\n').length).toBeLessThan(40);
  });

  it('--help describes every command and flag', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('serve');
    expect(main.stdout).toContain('demo');
    const serve = await run(['serve', '--help']);
    expect(serve.stdout).toContain('--config');
    expect(serve.stdout).toContain('--listen');
    const demo = await run(['demo', '--help']);
    expect(demo.stdout).toContain('--listen');
  });

  it('rejects an unknown flag or command with exit 2', async () => {
    expect((await run(['serve', '--nope'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
  });
});

describe('serve', () => {
  let upstream: MockUpstream;
  beforeAll(async () => {
    upstream = await MockUpstream.start();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('serves, then on SIGTERM lets an in-flight stream finish and exits 0', async () => {
    upstream.script = () => ({ sse: anthropicStreamEvents(), delayMs: 150 });
    const file = configFile(
      'serve.yaml',
      `listen: 127.0.0.1:0\nproviders:\n  - name: anthropic\n    type: anthropic\n    base_url: ${upstream.url}\n    keys: ["\${KEY}"]\nauth:\n  tokens:\n    - { user: alice, token: "\${TOKEN}" }\n`,
    );
    const child = spawn(process.execPath, [BIN, 'serve', '--config', file], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', KEY: SECRET, TOKEN: 'cli-test-token-123' },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect
      .poll(() => /"url":"(http:[^"]+)"/.exec(stdout)?.[1], { timeout: 5000 })
      .toBeDefined();
    const url = /"url":"(http:[^"]+)"/.exec(stdout)?.[1] ?? '';
    const ready = await request(`${url}/readyz`);
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();

    const response = await request(`${url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'cli-test-token-123' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 8, stream: true, messages: [] }),
    });
    expect(response.statusCode).toBe(200);
    child.kill('SIGTERM');
    const text = await response.body.text();
    expect(text).toContain('event: message_stop');
    expect(await exited).toBe(0);
    expect(stdout).toContain('shutting down');
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain('cli-test-token-123');
  });
});

describe('demo', () => {
  it('shows a request succeed through failover and the key state change, then serves', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--listen', '127.0.0.1:0'], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await expect.poll(() => stdout, { timeout: 8000 }).toContain('Press Ctrl-C to stop.');
    expect(stdout).toContain('POST /anthropic/v1/messages → HTTP 200');
    expect(stdout).toMatch(/key 0 .*: valid\n\s+key 1 .*: valid/);
    expect(stdout).toMatch(/key 0 .*: temporary \(cooling down \d+s\)/);
    expect(stdout).toContain('ANTHROPIC_BASE_URL=');
    const base = /gateway on (http:\/\/[^,\s]+)/.exec(stdout)?.[1] ?? '';
    const response = await request(`${base}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'demo-gateway-token' },
      body: JSON.stringify({
        model: 'claude-demo',
        max_tokens: 16,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toContain('event: message_stop');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
