import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
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

function run(
  args: string[],
  env: Record<string, string> = {},
  cwd = dir,
  timeoutMs = 10_000,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
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
  const cases: {
    name: string;
    yaml: string;
    env?: Record<string, string>;
    expect: string[];
  }[] = [
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
      expect: ['provider "gemini"', 'type: expected one of anthropic, openai'],
    },
    {
      name: 'admin token equal to a gateway token',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["sk-a"]\nauth:\n  tokens:\n    - { user: alice, token: "\${TOKEN}" }\nadmin:\n  token: "\${TOKEN}"\n`,
      env: { TOKEN: SECRET },
      expect: [
        'admin.token: is the same as auth.tokens[0].token: the admin token must differ from every gateway token',
      ],
    },
    {
      name: 'boolean from the environment that is not a boolean',
      yaml: `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["${SECRET}"]\nauth:\n  allow_byok: \${BYOK}\n`,
      env: { BYOK: 'maybe' },
      expect: ['auth.allow_byok: expected true or false (also accepted: yes/no, 1/0)'],
    },
    {
      name: 'per-provider timeout that is not a duration',
      yaml: `providers:\n  - name: openai\n    type: openai\n    keys: ["${SECRET}"]\n    timeouts: { first_byte: soon }\n`,
      expect: [
        'provider "openai" (providers[0]): timeouts.first_byte: expected a duration such as 500ms, 30s or 10m',
      ],
    },
    {
      name: 'on_forbidden that is not an option',
      yaml: `providers:\n  - name: openai\n    type: openai\n    keys: ["${SECRET}"]\n    on_forbidden: retry\n`,
      expect: ['provider "openai" (providers[0]): on_forbidden: expected one of disable, verify'],
    },
    {
      name: 'keys given as one string',
      yaml: `providers:\n  - name: openai\n    type: openai\n    keys: "${SECRET}"\n`,
      expect: ['provider "openai" (providers[0]): keys: expected a list, got text'],
    },
    {
      name: 'port out of range',
      yaml: `listen: 127.0.0.1:80800\nproviders: []\n`,
      expect: ['listen: the port must be between 0 and 65535'],
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
    expect(lines[0]).not.toMatch(/Invalid input|Invalid option|Too small/);
    expect(result.stderr + result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toMatch(/\s+at .+:\d+:\d+/);
  });

  it('check-config refuses the same configuration with the same line and exit code', async () => {
    const file = configFile(
      'check-bad.yaml',
      `providers:\n  - name: gemini\n    type: google\n    keys: ["${SECRET}"]\n`,
    );
    const serve = await run(['serve', '--config', file]);
    const check = await run(['check-config', '--config', file]);
    expect(check.code).toBe(78);
    expect(check.stderr).toBe(serve.stderr);
    expect(check.stderr).toBe(
      'switchyard: config error: provider "gemini" (providers[0]): type: expected one of anthropic, openai\n',
    );
    expect(check.stdout).toBe('');
  });
});

const GATEWAY_TOKEN = 'sy-cli-gateway-token-never-printed-77';

describe('errors of the environment-only quick start name the variable the user set', () => {
  const cases: { env: Record<string, string>; line: string }[] = [
    {
      env: { ANTHROPIC_API_KEYS: `${SECRET},,sk-b` },
      line: 'ANTHROPIC_API_KEYS: entry 2 is empty',
    },
    {
      env: { ANTHROPIC_API_KEYS: `${SECRET},sk-b,${SECRET}` },
      line: 'ANTHROPIC_API_KEYS: entries 1 and 3 are the same key',
    },
    {
      env: { ANTHROPIC_API_KEYS: SECRET, SWITCHYARD_TOKENS: `alice:${GATEWAY_TOKEN},${SECRET}x` },
      line: 'SWITCHYARD_TOKENS: entry 2 has no user (expected user:token)',
    },
    {
      env: { ANTHROPIC_API_KEYS: SECRET, SWITCHYARD_LISTEN: 'localhost' },
      line: 'SWITCHYARD_LISTEN: expected HOST:PORT, e.g. 127.0.0.1:8080',
    },
    {
      env: { OPENAI_API_KEYS: SECRET, SWITCHYARD_OPENAI_BASE_URL: 'api.openai.com/v1' },
      line: 'SWITCHYARD_OPENAI_BASE_URL: expected an http(s) URL',
    },
    {
      env: { ANTHROPIC_API_KEYS: SECRET, SWITCHYARD_ALLOW_BYOK: 'maybe' },
      line: 'SWITCHYARD_ALLOW_BYOK: expected true or false (also accepted: yes/no, 1/0)',
    },
    {
      env: { ANTHROPIC_API_KEYS: SECRET, SWITCHYARD_LOG_FORMAT: 'text' },
      line: 'SWITCHYARD_LOG_FORMAT: expected one of json, pretty',
    },
    {
      env: {
        ANTHROPIC_API_KEYS: SECRET,
        SWITCHYARD_TOKENS: `alice:${GATEWAY_TOKEN}`,
        SWITCHYARD_ADMIN_TOKEN: GATEWAY_TOKEN,
      },
      line: 'SWITCHYARD_ADMIN_TOKEN: is the same as the token of SWITCHYARD_TOKENS entry 1: the admin token must differ from every gateway token',
    },
  ];

  it.each(cases)('$line', async (c) => {
    const result = await run(['serve'], c.env);
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(`switchyard: config error: ${c.line}\n`);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(result.stdout + result.stderr).not.toContain(GATEWAY_TOKEN);
  });
});

describe('booleans from the environment', () => {
  it.each([
    ['yes', 'on'],
    ['TRUE', 'on'],
    ['No', 'off'],
    ['0', 'off'],
  ])('SWITCHYARD_ALLOW_BYOK=%s turns BYOK %s', async (word, state) => {
    const result = await run(['check-config'], {
      ANTHROPIC_API_KEYS: SECRET,
      SWITCHYARD_ALLOW_BYOK: word,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`\nBYOK: ${state}\n`);
  });

  it('allow_byok: ${VAR} in a file reads yes', async () => {
    const file = configFile(
      'byok-yes.yaml',
      `providers:\n  - name: anthropic\n    type: anthropic\n    keys: ["sk-a"]\nauth:\n  allow_byok: \${BYOK}\n`,
    );
    const result = await run(['check-config', '--config', file], { BYOK: 'yes' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\nBYOK: on\n');
  });
});

describe('the no-provider screen', () => {
  /** Commands that exist only once installed globally, not in a fresh clone. */
  const BARE_COMMAND = /(^|[\s`(])switchyard (serve|demo|check-config)/m;

  function freshDir(): string {
    return realpathSync(mkdtempSync(join(tmpdir(), 'switchyard-empty-')));
  }

  it('without a file, says that no file was found and no key variable is set', async () => {
    const cwd = freshDir();
    const result = await run(['serve'], {}, cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `No ./switchyard.yaml here (${cwd}) and no --config FILE, and neither ANTHROPIC_API_KEYS nor OPENAI_API_KEYS is set in the environment.`,
    );
    expect(result.stderr).toContain('./bin/switchyard serve');
    expect(result.stderr).toContain('npm start');
    expect(result.stderr).toContain('./bin/switchyard demo');
    expect(result.stderr).not.toMatch(BARE_COMMAND);
    expect(result.stderr.split('\n').length).toBeLessThan(40);
  });

  it('says when a key variable is set but empty', async () => {
    const result = await run(['serve'], { ANTHROPIC_API_KEYS: ' ' }, freshDir());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('and ANTHROPIC_API_KEYS is set but empty.');
  });

  it('names ./switchyard.yaml when it was read, and the key variables it made ignored', async () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, 'switchyard.yaml'), 'providers: []\n');
    const result = await run(['serve'], { OPENAI_API_KEYS: SECRET }, cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Read ./switchyard.yaml: it configures no provider.');
    expect(result.stderr).toContain(
      '(OPENAI_API_KEYS is ignored: the environment alone is used only when there is no config file.)',
    );
    expect(result.stderr).not.toContain(SECRET);
  });

  it('names the --config file, and check-config prints the same screen', async () => {
    const file = configFile('no-provider.yaml', 'listen: 127.0.0.1:0\n');
    const serve = await run(['serve', '--config', file]);
    const check = await run(['check-config', '--config', file]);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain(`Read ${file}: it configures no provider.`);
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(serve.stderr);
  });
});

describe('check-config', () => {
  it('prints a summary without secrets and exits 0', async () => {
    const file = configFile(
      'check-ok.yaml',
      [
        'listen: 127.0.0.1:8181',
        'database: postgres://sy:${DB_PASSWORD}@db.internal/sy',
        'providers:',
        '  - name: anthropic',
        '    type: anthropic',
        '    keys: ["${KEY_A}", "${KEY_B}"]',
        '    on_forbidden: verify',
        '    recheck_disabled_keys: 5m',
        '    timeouts: { first_byte: 2m }',
        '  - name: openai',
        '    type: openai',
        '    base_url: http://127.0.0.1:9999/v1/',
        '    keys: ["${KEY_A}x"]',
        'auth:',
        '  allow_byok: no',
        '  tokens:',
        '    - { user: alice, token: "${TOKEN}" }',
        'admin:',
        '  token: "${TOKEN}-admin"',
        'timeouts: { connect: 3s }',
        'shutdown_grace: 1m',
        'shutdown_delay: 5s',
        'log_format: pretty',
        '',
      ].join('\n'),
    );
    const result = await run(['check-config', '--config', file], {
      KEY_A: SECRET,
      KEY_B: `${SECRET}-b-9876`,
      TOKEN: GATEWAY_TOKEN,
      DB_PASSWORD: 'db-password-never-printed',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        `Configuration from ${file} is valid.`,
        '',
        'listen: 127.0.0.1:8181',
        'providers: 2',
        '  anthropic: type anthropic, https://api.anthropic.com/',
        '    2 keys, in order: sk-…4242, sk-…9876',
        '    disabled keys re-checked after 5m (backing off to 1h); on 403: verify',
        '    timeouts: connect 3s, first byte 2m, idle 5m (first byte set for this provider)',
        '  openai: type openai, http://127.0.0.1:9999/v1/',
        '    1 key, in order: sk-…242x',
        '    disabled keys re-checked after 10m (backing off to 1h); on 403: disable',
        '    timeouts: connect 3s, first byte 10m, idle 5m',
        'gateway tokens: 1',
        'BYOK: off',
        'admin API: on',
        'recording: postgres://sy:***@db.internal/sy',
        'key state: this process only',
        'timeouts: connect 3s, first byte 10m, idle 5m',
        'shutdown: grace 1m, delay 5s',
        'client IP headers to providers: dropped',
        'API dump: off',
        'log: level info, format pretty',
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain(GATEWAY_TOKEN);
    expect(result.stdout).not.toContain('db-password-never-printed');
  });

  it('reads the environment alone when there is no file, and says so', async () => {
    const result = await run(
      ['check-config'],
      { ANTHROPIC_API_KEYS: SECRET, SWITCHYARD_TOKENS: `alice:${GATEWAY_TOKEN}` },
      realpathSync(mkdtempSync(join(tmpdir(), 'switchyard-env-'))),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Configuration from the environment is valid\.\n/);
    expect(result.stdout).toContain('\n    1 key, in order: sk-…4242\n');
    expect(result.stdout).toContain('\nrecording: sqlite:./switchyard.db\n');
    expect(result.stdout).not.toContain(GATEWAY_TOKEN);
  });

  it('has --help, and the main help lists it', async () => {
    const help = await run(['check-config', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchyard check-config [--config FILE]');
    expect(help.stdout).toContain('--config FILE');
    const main = await run(['--help']);
    expect(main.stdout).toMatch(/\n {2}check-config +Validate the configuration/);
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
    expect(stdout).toContain(`Dashboard: ${base}/admin  (admin token: demo-admin-token)`);
    expect(stdout).toContain(`${base}/admin#token=demo-admin-token`);

    // The failover it showed is in the interceptions list, as printed.
    const printed =
      /Recorded [^\n]*\n {2}([0-9a-f-]{36}) +user demo, model claude-demo, completed\n {2}2 attempts; served by key (\S+);/.exec(
        stdout,
      );
    expect(printed, stdout).not.toBeNull();
    const listed = await request(`${base}/admin/api/interceptions`, {
      headers: { authorization: 'Bearer demo-admin-token' },
    });
    expect(listed.statusCode).toBe(200);
    const { items } = (await listed.body.json()) as {
      items: { id: string; attempts: number; credential_hint: string; outcome: string }[];
    };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: printed?.[1],
      attempts: 2,
      credential_hint: printed?.[2],
      outcome: 'completed',
    });
    expect(stdout).toMatch(new RegExp(`key 1 ${(printed?.[2] ?? '').replace('…', '.')}: valid`));
    const detail = await request(`${base}/admin/api/interceptions/${printed?.[1] ?? ''}`, {
      headers: { authorization: 'Bearer demo-admin-token' },
    });
    const calls = ((await detail.body.json()) as { upstream_calls: { attempts: unknown[] }[] })
      .upstream_calls;
    expect(calls[0]?.attempts).toMatchObject([
      { status: 429, failed_over: true, key_index: 0 },
      { status: 200, failed_over: false, key_index: 1 },
    ]);
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

describe('the startup line', () => {
  /** Starts `serve`, returns its stdout once it is listening, then stops it. */
  async function startupOutput(yaml: string, env: Record<string, string>): Promise<string> {
    const file = configFile(`startup-${Math.random().toString(36).slice(2)}.yaml`, yaml);
    const child = spawn(process.execPath, [BIN, 'serve', '--config', file], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 5000 }).toContain('switchyard listening');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    return stdout;
  }

  const yaml = (extra: string): string =>
    [
      'listen: 127.0.0.1:0',
      'database: postgres://sy:${DB_PASSWORD}@db.internal/sy',
      'providers:',
      '  - name: anthropic',
      '    type: anthropic',
      '    base_url: http://127.0.0.1:9/',
      '    keys: ["${KEY}", "${KEY}-2"]',
      '    timeouts: { idle: 45s }',
      '  - name: openai',
      '    type: openai',
      '    base_url: http://127.0.0.1:9/v1/',
      '    keys: ["${KEY}-3"]',
      'auth:',
      '  allow_byok: yes',
      '  tokens:',
      '    - { user: alice, token: "${TOKEN}" }',
      '    - { user: bob, token: "${TOKEN}-bob" }',
      'admin:',
      '  token: "${TOKEN}-admin"',
      'timeouts: { connect: 2s, first_byte: 1m, idle: 30s }',
      'shutdown_grace: 10s',
      'shutdown_delay: 1s',
      extra,
      '',
    ].join('\n');
  const env = { KEY: SECRET, TOKEN: GATEWAY_TOKEN, DB_PASSWORD: 'db-password-never-printed' };

  it('says what is on: BYOK, admin, recording, tokens, timeouts, shutdown, providers', async () => {
    const stdout = await startupOutput(yaml(''), env);
    const line = stdout
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry['msg'] === 'switchyard listening');
    expect(line).toMatchObject({
      byok: true,
      admin_api: true,
      recording: 'postgres://sy:***@db.internal/sy',
      gateway_tokens: 2,
      timeouts_ms: { connect: 2000, first_byte: 60_000, idle: 30_000 },
      shutdown_grace_ms: 10_000,
      shutdown_delay_ms: 1000,
      forward_client_ip: false,
      providers: [
        { name: 'anthropic', type: 'anthropic', keys: 2, timeouts_ms: { idle: 45_000 } },
        { name: 'openai', type: 'openai', keys: 1 },
      ],
    });
    expect(line?.['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain(GATEWAY_TOKEN);
    expect(stdout).not.toContain('db-password-never-printed');
  });

  it('log_format: pretty prints readable lines with ISO 8601 times', async () => {
    const stdout = await startupOutput(yaml('log_format: pretty'), env);
    const first = stdout.split('\n')[0] ?? '';
    expect(first).toMatch(
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] INFO: switchyard listening \{"url":"http:\/\/127\.0\.0\.1:\d+",/,
    );
    expect(first).toContain('"byok":true');
    expect(stdout).not.toMatch(/^\{/m);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain(GATEWAY_TOKEN);
  });

  it('SWITCHYARD_LOG_FORMAT=pretty does the same for the environment-only quick start', async () => {
    const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'switchyard-pretty-')));
    const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0'], {
      cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        ANTHROPIC_API_KEYS: SECRET,
        SWITCHYARD_TOKENS: `alice:${GATEWAY_TOKEN}`,
        SWITCHYARD_LOG_FORMAT: 'pretty',
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 5000 }).toContain('switchyard listening');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stdout).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] INFO: switchyard listening /);
    expect(stdout).toContain('"config":"environment"');
    expect(stdout).not.toContain(SECRET);
  });
});
