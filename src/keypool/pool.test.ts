import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { Key, type KeyTransition } from './key.js';
import { KeyPoolConfigError, KeyPoolError } from './key-pool-error.js';
import { Pool } from './pool.js';

const S = 1000;
/** These tests are about states, not about why they change. */
const CAUSE = { source: 'operator' } as const;

function pool(n: number, clock = new FakeClock()): { pool: Pool; clock: FakeClock } {
  return {
    pool: new Pool(
      Array.from({ length: n }, (_, i) => `key-${i}`),
      clock,
    ),
    clock,
  };
}

function exhaustionOf(walk: () => unknown): KeyPoolError {
  try {
    walk();
  } catch (error) {
    if (error instanceof KeyPoolError) return error;
    throw error;
  }
  throw new Error('expected the walker to be exhausted');
}

describe('new pool', () => {
  it.each([
    { name: 'no keys', keys: [], message: 'no keys' },
    { name: 'duplicate', keys: ['a', 'b', 'a'], message: 'duplicate key' },
    { name: 'empty key', keys: ['a', ''], message: 'empty key' },
  ])('$name → "$message"', ({ keys, message }) => {
    expect(() => new Pool(keys, new FakeClock())).toThrow(
      expect.objectContaining({ name: 'KeyPoolConfigError', message }) as Error,
    );
  });

  it('duplicate error names positions, never the key', () => {
    try {
      new Pool(['secret-a', 'secret-b', 'secret-a'], new FakeClock());
      expect.fail('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(KeyPoolConfigError);
      expect((error as KeyPoolConfigError).indexes).toEqual([0, 2]);
      expect(JSON.stringify(error) + String(error)).not.toContain('secret-a');
    }
  });

  it('walks keys in order, all valid, then is exhausted rate-limited with retry-after 0', () => {
    const { pool: p } = pool(3);
    const walker = p.walker();
    expect([walker.next().secret, walker.next().secret, walker.next().secret]).toEqual([
      'key-0',
      'key-1',
      'key-2',
    ]);
    for (const key of p.keys) expect(key.state()).toBe('valid');
    const error = exhaustionOf(() => walker.next());
    expect(error.reason).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(0);
    expect(error.status).toBe(429);
    expect(error.retryAfterHeader).toBeUndefined();
  });
});

describe('key state', () => {
  const cases: { name: string; setup: (key: Key, clock: FakeClock) => void; state: string }[] = [
    { name: 'fresh is valid', setup: () => undefined, state: 'valid' },
    {
      name: 'active cooldown is temporary',
      setup: (k, c) => {
        k.markTemporary(30 * S, CAUSE);
        c.advance(10 * S);
      },
      state: 'temporary',
    },
    {
      name: 'expired cooldown is valid',
      setup: (k, c) => {
        k.markTemporary(30 * S, CAUSE);
        c.advance(31 * S);
      },
      state: 'valid',
    },
    { name: 'permanent', setup: (k) => k.markPermanent(CAUSE), state: 'permanent' },
    {
      name: 'permanent with cooldown is permanent',
      setup: (k) => {
        k.markTemporary(30 * S, CAUSE);
        k.markPermanent(CAUSE);
      },
      state: 'permanent',
    },
  ];
  it.each(cases)('$name', ({ setup, state }) => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    setup(key, clock);
    expect(key.state()).toBe(state);
  });
});

describe('markTemporary', () => {
  it('valid → temporary returns true', () => {
    const key = new Key(0, 'k', new FakeClock());
    expect(key.markTemporary(10 * S, CAUSE)).toBe(true);
    expect(key.state()).toBe('temporary');
  });

  it('temporary with a longer cooldown extends and returns false', () => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    key.markTemporary(10 * S, CAUSE);
    expect(key.markTemporary(60 * S, CAUSE)).toBe(false);
    clock.advance(30 * S);
    expect(key.state()).toBe('temporary');
    expect(key.cooldownRemainingMs()).toBe(30 * S);
  });

  it('a shorter cooldown keeps the longer deadline and returns false', () => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    key.markTemporary(60 * S, CAUSE);
    expect(key.markTemporary(5 * S, CAUSE)).toBe(false);
    clock.advance(30 * S);
    expect(key.state()).toBe('temporary');
    expect(key.cooldownRemainingMs()).toBe(30 * S);
  });

  it('on a permanent key is a no-op returning false', () => {
    const key = new Key(0, 'k', new FakeClock());
    key.markPermanent(CAUSE);
    expect(key.markTemporary(10 * S, CAUSE)).toBe(false);
    expect(key.state()).toBe('permanent');
    expect(key.cooldownRemainingMs()).toBe(0);
  });
});

describe('markPermanent', () => {
  it.each([
    { name: 'valid → permanent', before: (_k: Key) => undefined, result: true },
    { name: 'temporary → permanent', before: (k: Key) => k.markTemporary(S, CAUSE), result: true },
    { name: 'permanent → permanent', before: (k: Key) => k.markPermanent(CAUSE), result: false },
  ])('$name returns $result', ({ before, result }) => {
    const key = new Key(0, 'k', new FakeClock());
    before(key);
    expect(key.markPermanent(CAUSE)).toBe(result);
    expect(key.state()).toBe('permanent');
  });
});

describe('walker', () => {
  it('skips a temporary key', () => {
    const { pool: p } = pool(2);
    p.keys[0]?.markTemporary(60 * S, CAUSE);
    expect(p.walker().next().index).toBe(1);
  });

  it('skips a permanent key', () => {
    const { pool: p } = pool(2);
    p.keys[0]?.markPermanent(CAUSE);
    expect(p.walker().next().index).toBe(1);
  });

  it('an expired temporary key (30 s, +35 s) is available', () => {
    const { pool: p, clock } = pool(2);
    p.keys[0]?.markTemporary(30 * S, CAUSE);
    clock.advance(35 * S);
    expect(p.walker().next().index).toBe(0);
  });

  it.each([0, -5 * S])('cooldown %d means 60 s', (cooldown) => {
    const { pool: p, clock } = pool(1);
    p.keys[0]?.markTemporary(cooldown, CAUSE);
    clock.advance(50 * S);
    expect(p.keys[0]?.state()).toBe('temporary');
    expect(exhaustionOf(() => p.walker().next()).reason).toBe('rate-limited');
    clock.advance(15 * S);
    expect(p.walker().next().index).toBe(0);
  });

  it('60 s then 10 s: at +15 s exhausted with retry-after 45 s; at +65 s valid', () => {
    const { pool: p, clock } = pool(2);
    const walker = p.walker();
    walker.next().markTemporary(60 * S, CAUSE);
    walker.next().markTemporary(10 * S, CAUSE);
    clock.advance(15 * S);
    const error = exhaustionOf(() => walker.next());
    expect(error.reason).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(45 * S);
    clock.advance(50 * S);
    expect(p.walker().next().index).toBe(0);
  });

  it.each([
    { name: '60/10/30 s → 10 s', cooldowns: [60, 10, 30], retryAfter: 10 },
    { name: 'all 60 s → 60 s', cooldowns: [60, 60, 60], retryAfter: 60 },
  ])('three temporary keys $name', ({ cooldowns, retryAfter }) => {
    const { pool: p } = pool(3);
    cooldowns.forEach((c, i) => p.keys[i]?.markTemporary(c * S, CAUSE));
    const error = exhaustionOf(() => p.walker().next());
    expect(error.reason).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(retryAfter * S);
    expect(error.message).toBe('all configured keys are rate-limited');
  });

  it('all permanent → permanent', () => {
    const { pool: p } = pool(3);
    for (const key of p.keys) key.markPermanent(CAUSE);
    const error = exhaustionOf(() => p.walker().next());
    expect(error.reason).toBe('permanent');
    expect(error.status).toBe(502);
    expect(error.message).toBe('all configured keys failed authentication');
  });

  it('permanent + temporary(60 s) + permanent → rate-limited, 60 s', () => {
    const { pool: p } = pool(3);
    p.keys[0]?.markPermanent(CAUSE);
    p.keys[1]?.markTemporary(60 * S, CAUSE);
    p.keys[2]?.markPermanent(CAUSE);
    const error = exhaustionOf(() => p.walker().next());
    expect(error.reason).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(60 * S);
  });

  it('two walkers: request 1 cools key-0, disables key-1 and gets key-2; a new walker goes straight to key-2', () => {
    const { pool: p } = pool(3);
    const first = p.walker();
    first.next().markTemporary(60 * S, CAUSE);
    first.next().markPermanent(CAUSE);
    expect(first.next().index).toBe(2);
    expect(p.walker().next().index).toBe(2);
  });
});

describe('interleaved marks on one key from many concurrent callers', () => {
  async function concurrently(actions: ((key: Key) => void)[], key: Key): Promise<void> {
    // Each caller yields a different number of ticks first, so the marks interleave.
    await Promise.all(
      actions.map(async (act, i) => {
        for (let t = 0; t < (i * 7) % 5; t++) await Promise.resolve();
        act(key);
      }),
    );
  }

  it('the longest cooldown wins', async () => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    const cooldowns = [5, 90, 30, 1, 45, 89, 60, 2].map((s) => s * S);
    await concurrently(
      cooldowns.map((c) => (k) => k.markTemporary(c, CAUSE)),
      key,
    );
    expect(key.cooldownRemainingMs()).toBe(90 * S);
  });

  it('any permanent wins', async () => {
    const key = new Key(0, 'k', new FakeClock());
    const actions: ((k: Key) => void)[] = [5, 90, 30, 1].map(
      (s) => (k) => k.markTemporary(s * S, CAUSE),
    );
    actions.splice(2, 0, (k) => k.markPermanent(CAUSE));
    await concurrently(actions, key);
    expect(key.state()).toBe('permanent');
  });

  it('reports exactly one transition per real change', async () => {
    const transitions: KeyTransition[] = [];
    const key = new Key(0, 'k', new FakeClock(), (t) => transitions.push(t));
    await concurrently(
      [
        ...[10, 20, 30].map((s) => (k: Key) => k.markTemporary(s * S, CAUSE)),
        (k: Key) => k.markPermanent(CAUSE),
        (k: Key) => k.markPermanent(CAUSE),
      ],
      key,
    );
    expect(transitions.map((t) => t.to)).toEqual(['temporary', 'permanent']);
  });
});

describe('enable', () => {
  it('brings a permanent or temporary key back to valid', () => {
    const key = new Key(0, 'k', new FakeClock());
    key.markPermanent(CAUSE);
    expect(key.enable()).toBe(true);
    expect(key.state()).toBe('valid');
    key.markTemporary(10 * S, CAUSE);
    expect(key.enable()).toBe(true);
    expect(key.state()).toBe('valid');
    expect(key.enable()).toBe(false);
  });
});
