import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { adminKeys } from './support/admin-api.js';
import { ADMIN_TOKEN, startHarness, TOKEN } from './support/harness.js';
import { MockUpstream } from './support/mock-upstream.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { TestRedis } from './support/redis-server.js';
import { getJson, startReplica, type Replica } from './support/replica.js';

/**
 * Replicas behind a load balancer: separate `switchyard serve` processes sharing key state
 * through Redis and recording into one PostgreSQL database.
 */

const SHARED_REDIS = process.env['SWITCHYARD_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
const POLL = { timeout: 15_000, interval: 20 };
const fresh = (label: string): string => `sk-ant-${label}-${randomBytes(9).toString('hex')}`;

function config(options: {
  upstream: MockUpstream;
  redis: string;
  secret: string;
  database: string;
  providers: Record<string, readonly string[]>;
}): string {
  return [
    'listen: 127.0.0.1:0',
    `redis: ${options.redis}`,
    `key_state_secret: ${options.secret}`,
    `database: ${options.database}`,
    'providers:',
    ...Object.entries(options.providers).flatMap(([name, keys]) => [
      `  - name: ${name}`,
      '    type: anthropic',
      `    base_url: ${options.upstream.url}`,
      `    keys: [${keys.map((k) => `"${k}"`).join(', ')}]`,
    ]),
    'auth:',
    '  tokens:',
    `    - { user: alice, token: "${TOKEN}" }`,
    'admin:',
    `  token: "${ADMIN_TOKEN}"`,
    '',
  ].join('\n');
}

const ids: string[] = [];

/** One bridged request; its status, and its request id kept for the database check. */
async function ask(replica: Replica, provider: string): Promise<number> {
  const response = await request(`${replica.url}/${provider}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-test', max_tokens: 8, messages: [] }),
  });
  await response.body.dump();
  const id = response.headers['x-switchyard-request-id'];
  if (typeof id === 'string') ids.push(id);
  return response.statusCode;
}

async function enable(replica: Replica, provider: string, index: number): Promise<number> {
  const response = await request(
    `${replica.url}/admin/api/providers/${provider}/keys/${index}/enable`,
    { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  );
  await response.body.dump();
  return response.statusCode;
}

const states = async (replica: Replica, provider: string): Promise<string[]> =>
  (await adminKeys(replica.url, provider)).map((key) => key.state);

/** Keys the upstream saw for one provider's route, in order. */
const seen = (upstream: MockUpstream, keys: readonly string[]): (string | undefined)[] =>
  upstream.requests.map((r) => r.key).filter((k) => k !== undefined && keys.includes(k));

const ok = { status: 200, body: { type: 'message', role: 'assistant', content: [] } };

describe('two replicas sharing the real Redis and PostgreSQL', () => {
  let upstream: MockUpstream;
  let database: TestDatabase;
  let a: Replica;
  let b: Replica;
  const temp = [fresh('temp-0'), fresh('temp-1')];
  const perm = [fresh('perm-0'), fresh('perm-1')];
  /** Keys the upstream refuses with 401 (temp[0] always gets 429 with Retry-After 60). */
  const refused = new Set<string>();

  beforeAll(async () => {
    upstream = await MockUpstream.start();
    upstream.script = (seenRequest) => {
      const key = seenRequest.key ?? '';
      if (key === temp[0]) {
        return { status: 429, headers: { 'retry-after': '60' }, body: { type: 'error' } };
      }
      if (refused.has(key)) return { status: 401, body: { type: 'error' } };
      return ok;
    };
    refused.add(perm[0] as string);
    database = await createTestDatabase();
    const yaml = config({
      upstream,
      redis: SHARED_REDIS,
      secret: randomBytes(24).toString('hex'),
      database: database.url,
      providers: { temp, perm },
    });
    [a, b] = await Promise.all([startReplica('a', yaml), startReplica('b', yaml)]);
  });

  // Whatever failed in beforeAll, nothing it started outlives the file.
  afterAll(async () => {
    const started = { a, b, upstream, database } as Partial<{
      a: Replica;
      b: Replica;
      upstream: MockUpstream;
      database: TestDatabase;
    }>;
    await Promise.allSettled([started.a?.stop(), started.b?.stop(), started.upstream?.close()]);
    await started.database?.drop();
  });

  it("A's 429 on key-0 (Retry-After 60): B's next request goes straight to key-1", async () => {
    expect(await ask(a, 'temp')).toBe(200);
    await expect.poll(() => states(b, 'temp'), POLL).toEqual(['temporary', 'valid']);
    const [key0] = await adminKeys(b.url, 'temp');
    expect(key0?.cooldown_remaining_ms).toBeGreaterThan(50_000);
    expect(key0?.cooldown_remaining_ms).toBeLessThanOrEqual(60_000);
    expect(await ask(b, 'temp')).toBe(200);
    expect(seen(upstream, temp)).toEqual([temp[0], temp[1], temp[1]]);
  });

  it("A's 401 on key-0: B's next request goes straight to key-1", async () => {
    expect(await ask(a, 'perm')).toBe(200);
    await expect.poll(() => states(b, 'perm'), POLL).toEqual(['permanent', 'valid']);
    expect(await ask(b, 'perm')).toBe(200);
    expect(seen(upstream, perm)).toEqual([perm[0], perm[1], perm[1]]);
  });

  it('re-enabled through the admin API of either replica, key-0 is back for both', async () => {
    refused.clear();
    upstream.reset();
    expect(await enable(b, 'perm', 0)).toBe(200);
    await expect.poll(() => states(a, 'perm'), POLL).toEqual(['valid', 'valid']);
    expect(await ask(a, 'perm')).toBe(200);
    expect(seen(upstream, perm)).toEqual([perm[0]]);

    // Disabled again through B, re-enabled through A.
    refused.add(perm[0] as string);
    expect(await ask(b, 'perm')).toBe(200);
    await expect.poll(() => states(a, 'perm'), POLL).toEqual(['permanent', 'valid']);
    refused.clear();
    expect(await enable(a, 'perm', 0)).toBe(200);
    await expect.poll(() => states(b, 'perm'), POLL).toEqual(['valid', 'valid']);
    expect(await ask(b, 'perm')).toBe(200);
    expect(seen(upstream, perm)).toEqual([perm[0], perm[0], perm[1], perm[0]]);
  });

  it("both replicas' interceptions are in the one PostgreSQL database", async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const stored = async (): Promise<string[]> =>
        (await client.query<{ id: string }>('SELECT id FROM interceptions')).rows
          .map((row) => row.id)
          .sort();
      await expect.poll(stored, POLL).toEqual([...ids].sort());
    } finally {
      await client.end();
    }
    // Both wrote some of them.
    // Log lines are batched and flushed on a short timer, so wait for them.
    for (const replica of [a, b]) {
      const own = (): number =>
        replica.lines().filter((line) => line['msg'] === 'interception').length;
      await expect.poll(own, POLL).toBeGreaterThan(0);
    }
    for (const replica of [a, b]) {
      for (const secret of [...temp, ...perm]) expect(replica.stdout()).not.toContain(secret);
    }
  });
});

describe('Redis stopped mid-run', () => {
  let upstream: MockUpstream;
  let redis: TestRedis;
  let a: Replica;
  let b: Replica;
  const keys = [fresh('outage-0'), fresh('outage-1'), fresh('outage-2')];
  let answer: (key: string) => { status: number; headers?: Record<string, string> } | undefined;

  beforeAll(async () => {
    upstream = await MockUpstream.start();
    upstream.script = (seenRequest) => {
      const refusal = answer(seenRequest.key ?? '');
      return refusal === undefined ? ok : { ...refusal, body: { type: 'error' } };
    };
    answer = () => undefined;
    redis = await TestRedis.start();
    const yaml = config({
      upstream,
      redis: redis.url,
      secret: randomBytes(24).toString('hex'),
      database: 'off',
      providers: { anthropic: keys },
    });
    [a, b] = await Promise.all([startReplica('a', yaml), startReplica('b', yaml)]);
  });

  afterAll(async () => {
    const started = { a, b, upstream, redis } as Partial<{
      a: Replica;
      b: Replica;
      upstream: MockUpstream;
      redis: TestRedis;
    }>;
    await Promise.allSettled([
      started.a?.stop(),
      started.b?.stop(),
      started.upstream?.close(),
      started.redis?.kill(),
    ]);
  });

  const redisCheck = async (replica: Replica) => {
    const { status, body } = await getJson(`${replica.url}/readyz`);
    const check = (body as { checks: { redis?: { state: string } } }).checks.redis;
    return { status, state: check?.state };
  };
  const logged = (replica: Replica, text: string) =>
    replica.lines().filter((line) => String(line['msg']).includes(text)).length;

  it('both keep serving, say degraded once, and converge when it returns', async () => {
    for (const replica of [a, b]) {
      expect(await redisCheck(replica)).toEqual({ status: 200, state: 'ok' });
    }
    await redis.kill();
    for (const replica of [a, b]) {
      await expect
        .poll(() => redisCheck(replica), POLL)
        .toEqual({ status: 200, state: 'degraded' });
      // Unauthenticated: it says what failed, not where Redis is.
      const { body } = await getJson(`${replica.url}/readyz`);
      expect(JSON.stringify(body)).not.toContain(String(redis.port));
    }

    // Each replica now marks keys on its own: A cools key-0 for 30 s, B for 90 s…
    const [k0, k1, k2] = keys as [string, string, string];
    answer = (key) => (key === k0 ? { status: 429, headers: { 'retry-after': '30' } } : undefined);
    expect(await ask(a, 'anthropic')).toBe(200);
    answer = (key) => (key === k0 ? { status: 429, headers: { 'retry-after': '90' } } : undefined);
    expect(await ask(b, 'anthropic')).toBe(200);
    // …A disables key-1 while B only cools it down.
    answer = (key) => (key === k1 ? { status: 401 } : undefined);
    expect(await ask(a, 'anthropic')).toBe(200);
    answer = (key) => (key === k1 ? { status: 429, headers: { 'retry-after': '120' } } : undefined);
    expect(await ask(b, 'anthropic')).toBe(200);
    expect(seen(upstream, keys)).toEqual([k0, k1, k0, k1, k1, k2, k1, k2]);
    expect(await states(a, 'anthropic')).toEqual(['temporary', 'permanent', 'valid']);
    expect(await states(b, 'anthropic')).toEqual(['temporary', 'temporary', 'valid']);

    // Back, and empty: as a Redis without persistence restarts.
    answer = () => undefined;
    await redis.restart();
    for (const replica of [a, b]) {
      await expect.poll(() => redisCheck(replica), POLL).toEqual({ status: 200, state: 'ok' });
    }
    for (const replica of [a, b]) {
      // The longer cooldown won, and permanent won.
      await expect
        .poll(() => states(replica, 'anthropic'), POLL)
        .toEqual(['temporary', 'permanent', 'valid']);
      const [key0] = await adminKeys(replica.url, 'anthropic');
      expect(key0?.cooldown_remaining_ms).toBeGreaterThan(60_000);
      // Log lines reach the pipe a little after the state they tell of.
      await expect.poll(() => logged(replica, 'redis is back'), POLL).toBe(1);
      expect(logged(replica, 'redis unavailable')).toBe(1);
    }
    upstream.reset();
    expect(await ask(a, 'anthropic')).toBe(200);
    expect(await ask(b, 'anthropic')).toBe(200);
    expect(seen(upstream, keys)).toEqual([k2, k2]);
  });
});

describe('Redis down when the gateway starts', () => {
  it('starts at once, serves, and says degraded until Redis comes', async () => {
    const redis = await TestRedis.start();
    await redis.kill();
    const harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: [fresh('down-0')] }],
      extra: { redis: redis.url, key_state_secret: randomBytes(24).toString('hex') },
    });
    try {
      harness.upstream.script = () => ok;
      const { status, body } = await getJson(`${harness.url}/readyz`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'ready',
        checks: { redis: { state: 'degraded', connection: 'down', outages: 1 } },
      });
      const response = await request(`${harness.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
        body: JSON.stringify({ model: 'claude-test', max_tokens: 8, messages: [] }),
      });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
      await redis.restart();
      await expect
        .poll(async () => (await getJson(`${harness.url}/readyz`)).body, POLL)
        .toMatchObject({ checks: { redis: { state: 'ok', connection: 'up' } } });
    } finally {
      await harness.close();
      await redis.kill();
    }
  });
});
