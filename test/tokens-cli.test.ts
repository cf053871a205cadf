import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenDigest } from '../src/auth/gateway-tokens.js';
import { openDatabase } from '../src/recorder/sql/open-database.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { ADMIN_TOKEN, startHarness, type Harness } from './support/harness.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';

const BIN = fileURLToPath(new URL('../bin/switchyard', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-tokens-'));
const DB_PATH = join(dir, 'tokens.db');
const CONFIG = join(dir, 'tokens.yaml');
writeFileSync(CONFIG, `database: sqlite:${DB_PATH}\n`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'tokens', ...args], {
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
    }, 15_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function create(user: string, note?: string): Promise<{ id: string; token: string }> {
  const result = await run([
    'create',
    '--user',
    user,
    ...(note === undefined ? [] : ['--note', note]),
    '--config',
    CONFIG,
  ]);
  expect(result.code, result.stderr).toBe(0);
  // Nothing but the token on stdout, so that $(switchyard tokens create …) captures it.
  expect(result.stdout).toMatch(/^sy_[A-Za-z0-9_-]{43}\n$/);
  const id = /Created gateway token (tok_[0-9a-f]{16}) for /.exec(result.stderr)?.[1];
  if (id === undefined) throw new Error(`no id in: ${result.stderr}`);
  return { id, token: result.stdout.trim() };
}

/** The `tokens list` row of one token, by its columns. */
async function row(id: string): Promise<string> {
  const result = await run(['list', '--config', CONFIG]);
  expect(result.code, result.stderr).toBe(0);
  const line = result.stdout.split('\n').find((l) => l.startsWith(id));
  if (line === undefined) throw new Error(`${id} not listed:\n${result.stdout}`);
  return line;
}

async function send(harness: Harness, token: string): Promise<number> {
  const response = await request(`${harness.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(messagesProfile.requestBody(false)),
  });
  await response.body.dump();
  return response.statusCode;
}

describe('switchyard tokens', () => {
  let harness: Harness | undefined;

  afterAll(async () => {
    await harness?.close();
  });

  it('creates a token, prints it once and stores only its hash', async () => {
    const { id, token } = await create('alice', 'laptop');
    const line = await row(id);
    expect(line).toMatch(
      new RegExp(
        `^${id} +alice +sy_…${token.slice(-4)} +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +- +active +laptop$`,
      ),
    );
    const database = await openDatabase({ engine: 'sqlite', path: DB_PATH });
    try {
      const rows = await database.db.selectFrom('gateway_tokens').selectAll().execute();
      const stored = rows.find((r) => r.id === id);
      expect(stored?.token_hash).toBe(tokenDigest(token).toString('hex'));
      expect(JSON.stringify(rows)).not.toContain(token);
    } finally {
      await database.close();
    }
    const listed = await run(['list', '--config', CONFIG]);
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).not.toContain(tokenDigest(token).toString('hex'));
  });

  it('a running gateway accepts tokens issued before it started and while it runs, and refuses a revoked one', async () => {
    const before = await create('bob');
    harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: ['sk-ant-tokens-cli-key-0001'] }],
      database: `sqlite:${DB_PATH}`,
    });
    harness.upstream.script = () => messagesProfile.success(false);
    const gateway = harness;
    // At once: startup does not wait for the issued tokens, the first requests do.
    expect(await send(gateway, before.token)).toBe(200);
    expect(gateway.interceptions.at(-1)?.user).toBe('bob');

    // Issued by another process while the gateway runs: picked up at its next poll.
    const during = await create('carol', 'issued while running');
    await expect.poll(() => send(gateway, during.token), { timeout: 5000 }).toBe(200);
    expect(gateway.interceptions.at(-1)?.user).toBe('carol');

    const revoked = await run(['revoke', during.id, '--config', CONFIG]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${during.id} (carol)`);
    await expect.poll(() => send(gateway, during.token), { timeout: 5000 }).toBe(401);
    // Refused from then on, every time.
    for (let i = 0; i < 3; i++) expect(await send(gateway, during.token)).toBe(401);
    expect(await send(gateway, before.token)).toBe(200);
    expect(await row(during.id)).toMatch(/ revoked \d{4}-\d\d-\d\dT[\d:]+Z +issued while running$/);

    const again = await run(['revoke', during.id, '--config', CONFIG]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already revoked at');

    // The admin API sees what the CLI did, and the CLI what the API does.
    const api = await request(`${gateway.url}/admin/api/tokens`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const items = ((await api.body.json()) as { items: { id: string; revoked_at: unknown }[] })
      .items;
    expect(items.find((t) => t.id === during.id)?.revoked_at).toMatch(/^\d{4}-/);
    const deleted = await request(`${gateway.url}/admin/api/tokens/${before.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(deleted.statusCode).toBe(200);
    await deleted.body.dump();
    expect(await send(gateway, before.token)).toBe(401);
    expect(await row(before.id)).toMatch(/ revoked /);
  });

  it('records when a token was last used', async () => {
    const { id, token } = await create('dave');
    const gateway = harness;
    if (gateway === undefined) throw new Error('the previous test starts the gateway');
    await expect.poll(() => send(gateway, token), { timeout: 5000 }).toBe(200);
    await expect
      .poll(async () => (await row(id)).split(/ {2,}/)[4], { timeout: 5000 })
      .toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z$/);
  });

  it.each([
    [[], 2, 'say what to do: create, list or revoke'],
    [['frobnicate'], 2, 'unknown action "frobnicate"'],
    [['create'], 2, 'create needs --user NAME'],
    [['create', '--user', ' '], 2, '--user is empty'],
    [['create', '--user', 'x', 'extra'], 2, 'unexpected argument "extra"'],
    [['list', '--user', 'alice'], 2, '--user is only for tokens create'],
    [['revoke'], 2, 'revoke needs the token id'],
    [
      ['revoke', 'tok_ffffffffffffffff', '--config', CONFIG],
      1,
      'no token with id tok_ffffffffffffffff',
    ],
    [['list', '--nope'], 2, "Unknown option '--nope'"],
  ])('tokens %j → exit %d', async (args, code, message) => {
    const result = await run(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('needs a database: off is a configuration error', async () => {
    const result = await run(['list'], { SWITCHYARD_DATABASE: 'off' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('database is off');
  });

  it('a bad configuration is one line and exit 78', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'database: mysql://nope\n');
    const result = await run(['list', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/^switchyard tokens: config error: database: /);
  });

  it('a database it cannot reach is exit 1, naming the host but never the password', async () => {
    const result = await run(['list'], {
      SWITCHYARD_DATABASE: 'postgres://sy:do-not-print-this@127.0.0.1:1/sy',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot open postgres://127.0.0.1:1/sy');
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).not.toContain('do-not-print-this');
  });

  it('--help describes the actions and flags', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      'create --user NAME',
      'list',
      'revoke ID',
      '--note TEXT',
      '--config FILE',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });
});

describe('switchyard tokens on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates, lists and revokes with the database from the environment', async () => {
    const env = { SWITCHYARD_DATABASE: database.url };
    const created = await run(['create', '--user', 'erin'], env);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    const id = /(tok_[0-9a-f]{16})/.exec(created.stderr)?.[1] ?? '';
    const harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: ['sk-ant-tokens-cli-key-0001'] }],
      database: database.url,
    });
    try {
      harness.upstream.script = () => messagesProfile.success(false);
      expect(await send(harness, token)).toBe(200);
      const listed = await run(['list'], env);
      expect(listed.stdout).toMatch(new RegExp(`^${id} +erin +sy_…`, 'm'));
      const revoked = await run(['revoke', id], env);
      expect(revoked.code, revoked.stderr).toBe(0);
      await expect.poll(() => send(harness, token), { timeout: 5000 }).toBe(401);
    } finally {
      await harness.close();
    }
  });
});
