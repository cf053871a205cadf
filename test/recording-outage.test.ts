import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseDatabaseTarget } from '../src/config/database-target.js';
import { InterceptionStore } from '../src/recorder/sql/interception-store.js';
import { openDatabase } from '../src/recorder/sql/open-database.js';
import { anthropicMessage, anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { createTestDatabase } from './support/postgres.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * The database goes away in the middle of a run and comes back: requests keep succeeding,
 * the loss shows in the log and in /readyz, recording resumes, and nothing is recorded twice.
 */

interface Outage {
  /** The `database` setting the gateway gets. */
  readonly database: string;
  /** For reading the records back afterwards, bypassing any outage. */
  readonly direct: string;
  breakIt(): Promise<void>;
  restore(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The file and its WAL made immutable: read-only even for root, and for the connection
 * already open. (Not the -shm file: SQLite maps it into memory, and a write to the mapping
 * of an immutable file is a SIGBUS, not an error.)
 */
function chattr(flag: '+i' | '-i', files: string[]): void {
  const present = files.filter((file) => existsSync(file));
  try {
    execFileSync('chattr', [flag, ...present], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      'this test makes the SQLite file read-only with chattr, which needs root (as in CI) on ext4/xfs',
      { cause: error },
    );
  }
}

const outages: Record<string, () => Promise<Outage>> = {
  'SQLite file made read-only': async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-outage-'));
    const file = join(dir, 'switchyard.db');
    const files = [file, `${file}-wal`];
    return {
      database: `sqlite:${file}`,
      direct: `sqlite:${file}`,
      breakIt() {
        chattr('+i', files);
        return Promise.resolve();
      },
      restore() {
        chattr('-i', files);
        return Promise.resolve();
      },
      async cleanup() {
        chattr('-i', files);
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  'PostgreSQL connection refused': async () => {
    const database = await createTestDatabase();
    const url = new URL(database.url);
    const proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    return {
      database: viaProxy.href,
      direct: database.url,
      breakIt: () => proxy.down(),
      restore: () => proxy.up(),
      async cleanup() {
        await proxy.down();
        await database.drop();
      },
    };
  },
};

interface DatabaseCheck {
  state: string;
  engine: string;
  queued: number;
  recorded: number;
  dropped: number;
  failed_writes: number;
  last_error: string | null;
}

let harness: Harness | undefined;
let outage: Outage | undefined;
afterEach(async () => {
  await harness?.close();
  await outage?.cleanup();
  harness = undefined;
  outage = undefined;
});

async function readiness(): Promise<{ status: number; database: DatabaseCheck }> {
  const response = await request(`${harness?.url ?? ''}/readyz`);
  const body = (await response.body.json()) as { checks: { database: DatabaseCheck } };
  return { status: response.statusCode, database: body.checks.database };
}

const until = (check: () => Promise<void>) => vi.waitFor(check, { timeout: 15_000, interval: 25 });

describe.each(Object.keys(outages))('recording through an outage: %s', (name) => {
  it('keeps serving, counts the loss, resumes, and records nothing twice', async () => {
    const thisOutage = await (outages[name] ?? (() => Promise.reject(new Error(name))))();
    outage = thisOutage;
    const key = `sk-test-outage-${randomBytes(10).toString('hex')}`;
    harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: [key] }],
      database: thisOutage.database,
      recorder: { tuning: { capacity: 4, retryMinMs: 20, retryMaxMs: 100 } },
    });
    harness.upstream.script = (seen) =>
      (JSON.parse(seen.body.toString()) as { stream?: boolean }).stream === true
        ? { sse: anthropicStreamEvents() }
        : { status: 200, body: anthropicMessage() };
    const client = new Anthropic({
      apiKey: TOKEN,
      baseURL: `${harness.url}/anthropic`,
      maxRetries: 0,
    });
    const ask = async (stream: boolean) => {
      const params = {
        model: 'claude-test',
        max_tokens: 16,
        messages: [{ role: 'user' as const, content: 'Hi' }],
      };
      const message = stream
        ? await client.messages.stream(params).finalMessage()
        : await client.messages.create(params);
      expect(message.content[0]).toMatchObject({ type: 'text' });
    };

    await until(async () => {
      expect((await readiness()).database).toMatchObject({
        state: 'ok',
        engine: thisOutage.database.startsWith('sqlite:') ? 'sqlite' : 'postgres',
        recorded: 0,
      });
    });
    for (let i = 0; i < 3; i++) await ask(i % 2 === 1);
    await until(async () => {
      expect((await readiness()).database).toMatchObject({ recorded: 3, queued: 0 });
    });

    await thisOutage.breakIt();
    // Six requests while it is down: four fit the queue, two are dropped and counted.
    for (let i = 0; i < 6; i++) await ask(i % 2 === 0);
    await until(async () => {
      const { status, database } = await readiness();
      expect(status).toBe(200);
      expect(database).toMatchObject({ state: 'degraded', queued: 4, dropped: 2, recorded: 3 });
      expect(database.failed_writes).toBeGreaterThanOrEqual(3);
      expect(database.last_error).toEqual(expect.any(String));
    });
    const logged = (msg: string) =>
      (harness?.logs ?? []).filter((line) => line.includes(`"msg":"${msg}`));
    // Logged when the burst began, not at every failed write or dropped interception.
    expect(logged('recorder: database write failed')).toHaveLength(1);
    expect(logged('recorder: queue full')).toHaveLength(1);

    await thisOutage.restore();
    await until(async () => {
      expect((await readiness()).database).toMatchObject({
        state: 'ok',
        recorded: 7,
        queued: 0,
        dropped: 2,
      });
    });
    expect(logged('recorder: database writes resumed')).toHaveLength(1);
    expect(logged('recorder: queue has room again')[0]).toContain('"dropped":2');
    for (let i = 0; i < 2; i++) await ask(i === 0);

    const served = harness.interceptions.map((i) => i.id);
    expect(served).toHaveLength(11);
    expect(harness.interceptions.every((i) => i.outcome === 'completed')).toBe(true);
    await harness.close();
    harness = undefined;

    const target = parseDatabaseTarget(thisOutage.direct);
    if (target === undefined || target.engine === 'off') throw new Error('bad target');
    const database = await openDatabase(target);
    try {
      const page = await new InterceptionStore(database).list({ limit: 100 });
      const stored = page.items.map((row) => row.id);
      // Every interception but the two dropped while the queue was full, each once.
      const expected = served.filter((_, n) => n !== 7 && n !== 8);
      expect([...stored].sort()).toEqual([...expected].sort());
    } finally {
      await database.close();
    }
  });
});
