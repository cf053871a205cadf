import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../test/support/capture-logger.js';
import { FakeClock } from '../../../test/support/fake-clock.js';
import type { KeyTransition } from '../key.js';
import type { ProbeResult } from '../key-probe.js';
import { Pool } from '../pool.js';
import { DisabledKeyRecheck } from '../recheck.js';
import type { ChannelEvents, KeyStateChannel, Snapshot } from './channel.js';
import { keyFingerprinter } from './fingerprint.js';
import { KeyStateStore } from './key-state-store.js';
import { MemoryKeyStateHub } from './memory-hub.js';
import type { SharedMark } from './shared-record.js';

const S = 1000;
const SECRETS = ['sk-shared-key-0-aaaa', 'sk-shared-key-1-bbbb', 'sk-shared-key-2-cccc'];
const UPSTREAM = { source: 'operator' } as const;
const fingerprint = keyFingerprinter('a-test-deployment-secret');

/** Lets every queued change reach every process. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Replica {
  readonly pool: Pool;
  readonly store: KeyStateStore;
  readonly transitions: KeyTransition[];
  readonly logs: string[];
}

async function replica(channel: KeyStateChannel, clock: FakeClock): Promise<Replica> {
  const pool = new Pool(SECRETS, clock);
  const transitions: KeyTransition[] = [];
  pool.onTransition((t) => transitions.push(t));
  const { logger, lines } = captureLogger();
  const store = new KeyStateStore({ channel, fingerprint, clock, logger });
  store.attach([pool]);
  await store.start(1000);
  return { pool, store, transitions, logs: lines };
}

async function two(): Promise<{
  a: Replica;
  b: Replica;
  hub: MemoryKeyStateHub;
  clock: FakeClock;
}> {
  const clock = new FakeClock();
  const hub = new MemoryKeyStateHub(clock);
  return {
    a: await replica(hub.channel(), clock),
    b: await replica(hub.channel(), clock),
    hub,
    clock,
  };
}

const key = (r: Replica, index: number) => r.pool.keys[index] ?? expect.fail(`no key ${index}`);
const causes = (r: Replica) => r.transitions.map((t) => `${t.key.index}:${t.to}:${t.cause.source}`);

describe('marks reach every process', () => {
  it('a temporary mark: the other process skips the key with the same deadline', async () => {
    const { a, b } = await two();
    key(a, 0).markTemporary(60 * S, UPSTREAM);
    await settle();
    expect(key(b, 0).state()).toBe('temporary');
    expect(key(b, 0).cooldownRemainingMs()).toBe(60 * S);
    expect(b.pool.walker().next().index).toBe(1);
    expect(causes(b)).toEqual(['0:temporary:shared']);
    // Its own mark came back without a second transition.
    expect(causes(a)).toEqual(['0:temporary:operator']);
  });

  it('a longer cooldown wins and a shorter one never shortens it, from either side', async () => {
    const { a, b, clock } = await two();
    key(a, 0).markTemporary(30 * S, UPSTREAM);
    key(b, 0).markTemporary(90 * S, UPSTREAM);
    key(a, 1).markTemporary(90 * S, UPSTREAM);
    key(b, 1).markTemporary(30 * S, UPSTREAM);
    await settle();
    for (const r of [a, b]) {
      expect(key(r, 0).cooldownRemainingMs()).toBe(90 * S);
      expect(key(r, 1).cooldownRemainingMs()).toBe(90 * S);
    }
    clock.advance(90 * S);
    for (const r of [a, b]) expect(key(r, 0).state()).toBe('valid');
  });

  it('permanent wins over temporary, and re-enable through either process clears it', async () => {
    const { a, b } = await two();
    key(a, 0).markTemporary(60 * S, UPSTREAM);
    await settle();
    key(b, 0).markPermanent(UPSTREAM);
    await settle();
    key(a, 0).markTemporary(60 * S, UPSTREAM);
    await settle();
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['permanent', 'permanent']);
    key(b, 0).enable();
    await settle();
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['valid', 'valid']);
    key(a, 0).markPermanent(UPSTREAM);
    await settle();
    key(a, 0).enable();
    await settle();
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['valid', 'valid']);
    expect(causes(b)).toEqual([
      '0:temporary:shared',
      '0:permanent:operator',
      '0:valid:operator',
      '0:permanent:shared',
      '0:valid:shared',
    ]);
  });

  it("a process's marks in quick succession never flicker back through their echoes", async () => {
    const { a, b } = await two();
    key(a, 0).markPermanent(UPSTREAM);
    key(a, 0).enable();
    key(a, 0).markTemporary(10 * S, UPSTREAM);
    await settle();
    expect(causes(a)).toEqual(['0:permanent:operator', '0:valid:operator', '0:temporary:operator']);
    // The other process follows each change in order.
    expect(key(b, 0).state()).toBe('temporary');
    expect(causes(b)).toEqual(['0:permanent:shared', '0:valid:shared', '0:temporary:shared']);
  });

  it('a process that starts later loads the current state', async () => {
    const { a, hub, clock } = await two();
    key(a, 0).markPermanent(UPSTREAM);
    key(a, 1).markTemporary(60 * S, UPSTREAM);
    await settle();
    clock.advance(10 * S);
    const c = await replica(hub.channel(), clock);
    expect(key(c, 0).state()).toBe('permanent');
    expect(key(c, 1).cooldownRemainingMs()).toBe(50 * S);
    expect(key(c, 2).state()).toBe('valid');
    expect(causes(c)).toEqual(['0:permanent:shared', '1:temporary:shared']);
  });

  it('keys another process has but this one does not are left alone', async () => {
    const clock = new FakeClock();
    const hub = new MemoryKeyStateHub(clock);
    const a = await replica(hub.channel(), clock);
    const other = new Pool(['sk-only-elsewhere-zzzz', SECRETS[1] as string], clock);
    const store = new KeyStateStore({
      channel: hub.channel(),
      fingerprint,
      clock,
      logger: captureLogger().logger,
    });
    store.attach([other]);
    await store.start(1000);
    other.keys[0]?.markPermanent(UPSTREAM);
    other.keys[1]?.markPermanent(UPSTREAM);
    await settle();
    expect(a.pool.keys.map((k) => k.state())).toEqual(['valid', 'permanent', 'valid']);
  });

  it('the status says ok and counts what was shared', async () => {
    const { a, b } = await two();
    key(a, 0).markTemporary(60 * S, UPSTREAM);
    await settle();
    expect(a.store.status()).toMatchObject({
      backend: 'memory',
      state: 'ok',
      connection: 'up',
      marksShared: 1,
      marksHeld: 0,
      outages: 0,
    });
    expect(b.store.status().changesApplied).toBe(1);
  });
});

describe('re-checks of a shared disabled key', () => {
  it('one process probes each round; its verdict reaches the others', async () => {
    const { a, b, clock } = await two();
    const probes: string[] = [];
    let answer: ProbeResult = { verdict: 'rejected', status: 401 };
    const rechecks = [a, b].map(
      (r, i) =>
        new DisabledKeyRecheck(
          r.pool,
          () => {
            probes.push(i === 0 ? 'a' : 'b');
            return Promise.resolve(answer);
          },
          clock,
          60 * S,
          () => undefined,
        ),
    );
    key(a, 0).markPermanent(UPSTREAM);
    await settle();
    expect(key(b, 0).state()).toBe('permanent');
    clock.advance(60 * S);
    await settle();
    expect(probes).toHaveLength(1);
    answer = { verdict: 'works', status: 200 };
    clock.advance(120 * S);
    await settle();
    await settle();
    expect(probes).toHaveLength(2);
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['valid', 'valid']);
    expect(rechecks.map((r) => r.scheduled)).toEqual([0, 0]);
    for (const r of rechecks) r.stop();
  });
});

/** A channel over a hub that the test can cut off and bring back, as Redis would go away. */
class FlakyChannel implements KeyStateChannel {
  readonly backend = 'redis';
  private events: ChannelEvents | undefined;
  private off = false;
  private unsubscribe: (() => void) | undefined;

  /** Replaced by a test to stand for a backend that restarted empty. */
  constructor(public hub: MemoryKeyStateHub) {}

  connect(events: ChannelEvents): void {
    this.events = events;
    this.subscribe();
    queueMicrotask(() => {
      events.up();
    });
  }

  cut(): void {
    this.off = true;
    this.unsubscribe?.();
    this.events?.down(new Error('connect ECONNREFUSED'));
  }

  restore(): void {
    this.off = false;
    this.subscribe();
    this.events?.up();
  }

  apply(marks: readonly SharedMark[], origin: string): Promise<void> {
    if (this.off) return Promise.reject(new Error('Connection is closed.'));
    this.hub.apply(marks, origin);
    return Promise.resolve();
  }

  snapshot(fingerprints: readonly string[]): Promise<Snapshot> {
    if (this.off) return Promise.reject(new Error('Connection is closed.'));
    return Promise.resolve(this.hub.snapshot(fingerprints));
  }

  claim(fingerprint: string, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.hub.claim(fingerprint, ttlMs));
  }

  close(): Promise<void> {
    this.unsubscribe?.();
    return Promise.resolve();
  }

  private subscribe(): void {
    this.unsubscribe = this.hub.subscribe((change) => this.events?.change(change));
  }
}

describe('the backend out of reach', () => {
  async function flaky() {
    const clock = new FakeClock();
    const hub = new MemoryKeyStateHub(clock);
    const channels = [new FlakyChannel(hub), new FlakyChannel(hub)] as const;
    const a = await replica(channels[0], clock);
    const b = await replica(channels[1], clock);
    return { a, b, clock, hub, channels };
  }

  it('each process serves on its own state, says degraded once, and reconciles when it returns', async () => {
    const { a, b, channels } = await flaky();
    for (const c of channels) c.cut();
    expect(a.store.status()).toMatchObject({ state: 'degraded', connection: 'down', outages: 1 });
    expect(a.store.status().lastError).toContain('ECONNREFUSED');
    // Longer cooldown wins: a 30 s here, 90 s there.
    key(a, 0).markTemporary(30 * S, UPSTREAM);
    key(b, 0).markTemporary(90 * S, UPSTREAM);
    // Permanent wins.
    key(a, 1).markPermanent(UPSTREAM);
    key(b, 1).markTemporary(120 * S, UPSTREAM);
    await settle();
    expect(key(b, 1).state()).toBe('temporary');
    expect(a.store.status().marksHeld).toBe(2);
    channels[0].restore();
    await settle();
    channels[1].restore();
    await settle();
    for (const r of [a, b]) {
      expect(key(r, 0).cooldownRemainingMs()).toBe(90 * S);
      expect(key(r, 1).state()).toBe('permanent');
      expect(key(r, 2).state()).toBe('valid');
      expect(r.store.status()).toMatchObject({ state: 'ok', marksHeld: 0, outages: 1 });
      const warnings = r.logs.filter((line) => line.includes('unavailable'));
      expect(warnings).toHaveLength(1);
      expect(r.logs.filter((line) => line.includes('is back'))).toHaveLength(1);
    }
  });

  it('a re-enable made while cut off clears only marks made before it', async () => {
    const { a, b, clock, channels } = await flaky();
    key(a, 0).markPermanent(UPSTREAM);
    key(a, 1).markPermanent(UPSTREAM);
    await settle();
    channels[0].cut();
    clock.advance(S);
    // The operator re-enables both keys through b, which still reaches the backend…
    key(b, 0).enable();
    key(b, 1).enable();
    await settle();
    clock.advance(S);
    // …while a, cut off, sees key 1 rejected again after that.
    key(a, 1).enable();
    clock.advance(S);
    key(a, 1).markPermanent(UPSTREAM);
    channels[0].restore();
    await settle();
    // a's stale key 0 did not come back; its later mark of key 1 did.
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['valid', 'valid']);
    expect([key(a, 1).state(), key(b, 1).state()]).toEqual(['permanent', 'permanent']);
  });

  it('a re-enable made while cut off reaches the others when the backend returns', async () => {
    const { a, b, clock, channels } = await flaky();
    key(a, 0).markPermanent(UPSTREAM);
    await settle();
    channels[0].cut();
    clock.advance(S);
    key(a, 0).enable();
    channels[0].restore();
    await settle();
    expect([key(a, 0).state(), key(b, 0).state()]).toEqual(['valid', 'valid']);
  });

  it('a backend that lost everything is given back what the processes hold', async () => {
    const { a, b, clock, channels } = await flaky();
    key(a, 0).markPermanent(UPSTREAM);
    key(b, 1).markTemporary(60 * S, UPSTREAM);
    await settle();
    for (const c of channels) c.cut();
    // A new, empty backend: the processes reconnect to it.
    const fresh = new MemoryKeyStateHub(clock);
    const c = await replica(new FlakyChannel(fresh), clock);
    expect(causes(c)).toEqual([]);
    channels[0].hub = fresh;
    channels[0].restore();
    await settle();
    const late = await replica(new FlakyChannel(fresh), clock);
    expect(late.pool.keys.map((k) => k.state())).toEqual(['permanent', 'temporary', 'valid']);
  });
});
