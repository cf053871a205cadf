import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/support/capture-logger.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { TestRedis } from '../../../test/support/redis-server.js';
import { systemClock } from '../clock.js';
import { Pool } from '../pool.js';
import type { ChannelEvents, SharedChange } from './channel.js';
import { keyFingerprinter } from './fingerprint.js';
import { KeyStateStore } from './key-state-store.js';
import { REDIS_NAMESPACE, RedisKeyStateChannel } from './redis-channel.js';
import {
  applyMarkAt,
  EMPTY_RECORD,
  ENABLE_MEMORY_MS,
  type SharedMark,
  type SharedRecord,
} from './shared-record.js';

/** The machine's Redis, shared with everyone: every test names its keys with a fresh secret. */
const SHARED_REDIS = process.env['SWITCHYARD_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
const S = 1000;
const UPSTREAM = { source: 'operator' } as const;

let admin: Redis;
beforeAll(() => {
  admin = new Redis(SHARED_REDIS, { protocol: 2 });
});
afterAll(async () => {
  await admin.quit();
});

const events = (changes: SharedChange[] = []): ChannelEvents & { ups: number } => {
  const e = {
    ups: 0,
    change: (change: SharedChange) => changes.push(change),
    up: () => {
      e.ups++;
    },
    down: () => undefined,
  };
  return e;
};

async function connected(url = SHARED_REDIS, changes: SharedChange[] = []) {
  const channel = new RedisKeyStateChannel({ url });
  const e = events(changes);
  channel.connect(e);
  await expect.poll(() => e.ups).toBe(1);
  return channel;
}

const fresh = (): string => randomBytes(12).toString('base64url');
const recordKey = (fingerprint: string) => `${REDIS_NAMESPACE}:key:${fingerprint}`;

describe('the Lua script applies the same rules as shared-record.ts', () => {
  it('for any sequence of live and replayed marks, Redis ends with the record the rules give', async () => {
    const channel = await connected();
    const now = Date.now();
    const markArb = fc.record({
      kind: fc.constantFrom('temporary', 'permanent', 'enable'),
      until: fc.integer({ min: -120, max: 120 }),
      at: fc.integer({ min: -120, max: 120 }),
      replay: fc.boolean(),
    });
    const used: string[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(markArb, { minLength: 1, maxLength: 8 }), async (raw) => {
          const fingerprint = fresh();
          used.push(fingerprint);
          let expected: SharedRecord = EMPTY_RECORD;
          for (const m of raw) {
            const mark: SharedMark = {
              fingerprint,
              kind: m.kind,
              until: m.kind === 'temporary' ? now + m.until * S : 0,
              at: now + m.at * S,
              replay: m.replay,
            };
            expected = applyMarkAt(expected, mark, now);
            await channel.apply([mark], 'test', now);
          }
          const snapshot = await channel.snapshot([fingerprint]);
          expect(snapshot.records.get(fingerprint) ?? EMPTY_RECORD).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    } finally {
      await admin.del(...used.map(recordKey));
      await channel.close();
    }
  });
});

describe('records in Redis', () => {
  it('are namespaced, hold no key, and expire with their cooldowns', async () => {
    const secret = `sk-ant-never-in-redis-${fresh()}`;
    const fingerprint = keyFingerprinter(fresh())(secret);
    const channel = await connected();
    const rec = recordKey(fingerprint);
    const now = Date.now();
    try {
      expect(fingerprint).not.toContain(secret);
      await channel.apply(
        [{ fingerprint, kind: 'temporary', until: now + 60 * S, at: now, replay: false }],
        'test',
        now,
      );
      const ttl = await admin.pttl(rec);
      expect(ttl).toBeGreaterThan(55 * S);
      expect(ttl).toBeLessThanOrEqual(60 * S);
      const stored = JSON.stringify(await admin.hgetall(rec));
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(secret.slice(-8));

      await channel.apply(
        [{ fingerprint, kind: 'permanent', until: 0, at: now, replay: false }],
        'test',
        now,
      );
      expect(await admin.pttl(rec)).toBe(-1);

      await channel.apply(
        [{ fingerprint, kind: 'enable', until: 0, at: now, replay: false }],
        'test',
        now,
      );
      expect(await admin.pttl(rec)).toBeGreaterThan(ENABLE_MEMORY_MS - 60 * S);
      expect((await channel.snapshot([fingerprint])).records.get(fingerprint)).toMatchObject({
        permanent: false,
        until: 0,
      });
    } finally {
      await admin.del(rec);
      await channel.close();
    }
  });

  it('a re-check round is claimed by one process only', async () => {
    const fingerprint = fresh();
    const [a, b] = [await connected(), await connected()];
    try {
      const claims = await Promise.all([a.claim(fingerprint, 5 * S), b.claim(fingerprint, 5 * S)]);
      expect(claims.sort()).toEqual([false, true]);
    } finally {
      await admin.del(`${REDIS_NAMESPACE}:recheck:${fingerprint}`);
      await Promise.all([a.close(), b.close()]);
    }
  });
});

interface Replica {
  readonly pool: Pool;
  readonly store: KeyStateStore;
  readonly logs: string[];
}

async function replica(url: string, secret: string, keys: readonly string[]): Promise<Replica> {
  const pool = new Pool(keys, systemClock);
  const { logger, lines } = captureLogger();
  const store = new KeyStateStore({
    channel: new RedisKeyStateChannel({ url, reconnectMaxMs: 200 }),
    fingerprint: keyFingerprinter(secret),
    clock: systemClock,
    logger,
    retryMinMs: 50,
  });
  store.attach([pool]);
  await store.start(3000);
  return { pool, store, logs: lines };
}

const key = (r: Replica, index: number) => r.pool.keys[index] ?? expect.fail(`no key ${index}`);
const states = (r: Replica) => r.pool.keys.map((k) => k.state());

describe('processes sharing key state through Redis', () => {
  it('a mark in one reaches the other; a process that starts later loads it', async () => {
    const secret = fresh();
    const keys = [`sk-a-${fresh()}`, `sk-b-${fresh()}`];
    const a = await replica(SHARED_REDIS, secret, keys);
    const b = await replica(SHARED_REDIS, secret, keys);
    try {
      expect(a.store.status()).toMatchObject({ backend: 'redis', state: 'ok', connection: 'up' });
      key(a, 0).markTemporary(60 * S, UPSTREAM);
      await expect.poll(() => key(b, 0).state()).toBe('temporary');
      expect(key(b, 0).cooldownRemainingMs()).toBeGreaterThan(55 * S);
      key(b, 1).markPermanent(UPSTREAM);
      await expect.poll(() => key(a, 1).state()).toBe('permanent');
      const c = await replica(SHARED_REDIS, secret, keys);
      expect(states(c)).toEqual(['temporary', 'permanent']);
      key(c, 1).enable();
      await expect.poll(() => [key(a, 1).state(), key(b, 1).state()]).toEqual(['valid', 'valid']);
      await c.store.close();
    } finally {
      key(a, 0).enable();
      key(a, 1).enable();
      await Promise.all([a.store.close(), b.store.close()]);
    }
  });
});

describe('Redis stopped and started again', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis.kill();
  });

  it('both serve on their own state, say degraded once, and converge when it returns', async () => {
    const secret = fresh();
    const keys = ['sk-0', 'sk-1', 'sk-2'].map((k) => `${k}-${fresh()}`);
    const a = await replica(redis.url, secret, keys);
    const b = await replica(redis.url, secret, keys);
    try {
      key(a, 2).markTemporary(600 * S, UPSTREAM);
      await expect.poll(() => key(b, 2).state()).toBe('temporary');
      await redis.kill();
      await expect
        .poll(() => [a.store.status().state, b.store.status().state])
        .toEqual(['degraded', 'degraded']);
      key(a, 0).markTemporary(30 * S, UPSTREAM);
      key(b, 0).markTemporary(90 * S, UPSTREAM);
      key(a, 1).markPermanent(UPSTREAM);
      key(b, 1).markTemporary(120 * S, UPSTREAM);
      expect(states(a)).toEqual(['temporary', 'permanent', 'temporary']);
      expect(states(b)).toEqual(['temporary', 'temporary', 'temporary']);
      expect(a.store.status()).toMatchObject({ connection: 'down', marksHeld: 2, outages: 1 });
      // Empty when it comes back, as a Redis without persistence is.
      await redis.restart();
      await expect
        .poll(() => [a.store.status().state, b.store.status().state], { timeout: 10_000 })
        .toEqual(['ok', 'ok']);
      for (const r of [a, b]) {
        expect(states(r)).toEqual(['temporary', 'permanent', 'temporary']);
        expect(key(r, 0).cooldownRemainingMs()).toBeGreaterThan(60 * S);
        expect(key(r, 2).cooldownRemainingMs()).toBeGreaterThan(500 * S);
        expect(r.logs.filter((l) => l.includes('redis unavailable'))).toHaveLength(1);
        expect(r.logs.filter((l) => l.includes('redis is back'))).toHaveLength(1);
      }
    } finally {
      await Promise.all([a.store.close(), b.store.close()]);
    }
  });

  it('a process that starts while Redis is down serves at once and syncs when it comes', async () => {
    await redis.kill();
    const secret = fresh();
    const keys = [`sk-x-${fresh()}`];
    const started = Date.now();
    const a = await replica(redis.url, secret, keys);
    try {
      expect(Date.now() - started).toBeLessThan(3000);
      expect(a.store.status()).toMatchObject({ state: 'degraded', outages: 1 });
      key(a, 0).markPermanent(UPSTREAM);
      await redis.restart();
      await expect.poll(() => a.store.status().state, { timeout: 10_000 }).toBe('ok');
      const b = await replica(redis.url, secret, keys);
      expect(states(b)).toEqual(['permanent']);
      await b.store.close();
    } finally {
      await a.store.close();
    }
  });
});

describe('FakeClock and real Redis', () => {
  it('deadlines are the process clock’s, and so are expiries', async () => {
    const clock = new FakeClock(Date.now() - 3600 * S);
    const secret = fresh();
    const keys = [`sk-f-${fresh()}`];
    const pool = new Pool(keys, clock);
    const store = new KeyStateStore({
      channel: new RedisKeyStateChannel({ url: SHARED_REDIS }),
      fingerprint: keyFingerprinter(secret),
      clock,
      logger: captureLogger().logger,
    });
    store.attach([pool]);
    await store.start(3000);
    try {
      pool.keys[0]?.markTemporary(60 * S, UPSTREAM);
      const rec = recordKey(keyFingerprinter(secret)(keys[0] as string));
      await expect.poll(() => admin.pttl(rec)).toBeGreaterThan(55 * S);
    } finally {
      await store.close();
    }
  });
});
