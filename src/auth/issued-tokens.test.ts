import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/support/capture-logger.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { IssuedTokenEntry } from './gateway-tokens.js';
import { GatewayTokens, tokenDigest } from './gateway-tokens.js';
import type {
  IssuedTokenInsert,
  IssuedTokenRecord,
  IssuedTokenStore,
} from './issued-token-store.js';
import { IssuedTokens } from './issued-tokens.js';

interface Row extends IssuedTokenInsert {
  revokedAt: number | undefined;
  lastUsedAt: number | undefined;
}

/** The store as another process would change it, with hooks to stall or break reads. */
class MemoryStore implements IssuedTokenStore {
  readonly rows: Row[] = [];
  versionNumber = 0;
  touches: { ids: string[]; at: number }[] = [];
  failing = false;
  /** When set, `active()` waits for it: a read that is slower than a change made meanwhile. */
  gate: Promise<void> | undefined;
  reads = 0;

  insert(token: IssuedTokenInsert): Promise<void> {
    this.rows.push({ ...token, revokedAt: undefined, lastUsedAt: undefined });
    this.versionNumber++;
    return Promise.resolve();
  }

  list(): Promise<IssuedTokenRecord[]> {
    return Promise.resolve(this.rows.map((r) => this.record(r)));
  }

  revoke(id: string, at: number): Promise<IssuedTokenRecord | undefined> {
    const row = this.rows.find((r) => r.id === id);
    if (row === undefined) return Promise.resolve(undefined);
    if (row.revokedAt === undefined) {
      row.revokedAt = at;
      this.versionNumber++;
    }
    return Promise.resolve(this.record(row));
  }

  version(): Promise<number> {
    if (this.failing) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    return Promise.resolve(this.versionNumber);
  }

  async active(): Promise<IssuedTokenEntry[]> {
    this.reads++;
    const snapshot = this.rows
      .filter((r) => r.revokedAt === undefined)
      .map((r) => ({ id: r.id, user: r.user, tokenHash: r.tokenHash }));
    await this.gate;
    return snapshot;
  }

  touch(ids: readonly string[], at: number): Promise<void> {
    if (this.failing) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    this.touches.push({ ids: [...ids], at });
    for (const row of this.rows) if (ids.includes(row.id)) row.lastUsedAt = at;
    return Promise.resolve();
  }

  /** Another process issues a token. */
  issueElsewhere(id: string, user: string, token: string): void {
    void this.insert({
      id,
      user,
      note: undefined,
      tokenHash: tokenDigest(token).toString('hex'),
      hint: '…',
      createdAt: 0,
    });
  }

  private record(r: Row): IssuedTokenRecord {
    return {
      id: r.id,
      user: r.user,
      note: r.note,
      hint: r.hint,
      createdAt: r.createdAt,
      revokedAt: r.revokedAt,
      lastUsedAt: r.lastUsedAt,
    };
  }
}

/** Lets the promise callbacks a fired timer started run to completion. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(store = new MemoryStore()) {
  const clock = new FakeClock();
  const { logger, lines } = captureLogger();
  const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token' }]);
  const issued = new IssuedTokens({ store, tokens, clock, logger, pollMs: 1000 });
  return { store, clock, lines, tokens, issued };
}

describe('IssuedTokens', () => {
  it('loads the issued tokens at start, beside the configured ones', async () => {
    const store = new MemoryStore();
    store.issueElsewhere('tok_1', 'bob', 'issued-one');
    const { tokens, issued } = setup(store);
    expect(tokens.identify('issued-one')).toBeUndefined();
    await issued.start();
    expect(issued.loaded).toBe(true);
    expect(tokens.identify('issued-one')).toBe('bob');
    expect(tokens.identify('configured-token')).toBe('alice');
    await issued.stop();
  });

  it('picks up tokens issued and revoked elsewhere at the next poll, and reads only on change', async () => {
    const { store, clock, tokens, issued } = setup();
    await issued.start();
    store.issueElsewhere('tok_1', 'bob', 'issued-one');
    expect(tokens.identify('issued-one')).toBeUndefined();
    clock.advance(1000);
    await settle();
    expect(tokens.identify('issued-one')).toBe('bob');
    const reads = store.reads;
    clock.advance(1000);
    await settle();
    expect(store.reads).toBe(reads);
    await store.revoke('tok_1', clock.now());
    clock.advance(1000);
    await settle();
    expect(tokens.identify('issued-one')).toBeUndefined();
    await issued.stop();
  });

  it('issues and revokes here at once, without waiting for a poll', async () => {
    const { store, clock, tokens, issued } = setup();
    await issued.start();
    const created = await issued.create('carol', 'laptop');
    expect(created.token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
    expect(created.record).toMatchObject({ user: 'carol', note: 'laptop', revokedAt: undefined });
    expect(store.rows[0]?.tokenHash).toBe(tokenDigest(created.token).toString('hex'));
    expect(JSON.stringify(store.rows)).not.toContain(created.token);
    expect(tokens.identify(created.token)).toBe('carol');
    const revoked = await issued.revoke(created.record.id);
    expect(revoked?.revokedAt).toBe(clock.now());
    expect(tokens.identify(created.token)).toBeUndefined();
    expect(await issued.revoke('tok_unknown')).toBeUndefined();
    await issued.stop();
  });

  it('a poll that read the store before a revocation here does not bring the token back', async () => {
    const { store, clock, tokens, issued } = setup();
    await issued.start();
    const created = await issued.create('carol', undefined);
    let open: () => void = () => undefined;
    store.gate = new Promise((resolve) => (open = resolve));
    // A poll starts (the version changed: the token was issued) and reads the active list,
    // which still holds the token; the revocation lands while that read is in flight.
    clock.advance(1000);
    await settle();
    await issued.revoke(created.record.id);
    open();
    await settle();
    expect(tokens.identify(created.token)).toBeUndefined();
    store.gate = undefined;
    clock.advance(1000);
    await settle();
    expect(tokens.identify(created.token)).toBeUndefined();
    await issued.stop();
  });

  it('writes last-used times in one batch per poll, off the request path', async () => {
    const { store, clock, tokens, issued } = setup();
    store.issueElsewhere('tok_1', 'bob', 'one');
    store.issueElsewhere('tok_2', 'carol', 'two');
    await issued.start();
    for (let i = 0; i < 5; i++) tokens.identify('one');
    tokens.identify('two');
    tokens.identify('configured-token');
    expect(store.touches).toEqual([]);
    clock.advance(1000);
    await settle();
    expect(store.touches).toHaveLength(1);
    expect(store.touches[0]?.ids.sort()).toEqual(['tok_1', 'tok_2']);
    expect(store.touches[0]?.at).toBe(clock.now());
    clock.advance(1000);
    await settle();
    expect(store.touches).toHaveLength(1);
    tokens.identify('two');
    await issued.stop();
    expect(store.touches.at(-1)?.ids).toEqual(['tok_2']);
  });

  it('keeps the tokens loaded last while the store fails, says so once, and catches up after', async () => {
    const { store, clock, tokens, issued, lines } = setup();
    store.issueElsewhere('tok_1', 'bob', 'one');
    await issued.start();
    store.failing = true;
    tokens.identify('one');
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(tokens.identify('one')).toBe('bob');
    const warnings = lines.filter((l) => l.includes('cannot read the database'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('the tokens loaded last stay in force');
    await store.revoke('tok_1', clock.now());
    store.failing = false;
    clock.advance(1000);
    await settle();
    expect(tokens.identify('one')).toBeUndefined();
    expect(lines.some((l) => l.includes('the database answers again'))).toBe(true);
    // The use while the store was failing was not lost.
    expect(store.touches.flatMap((t) => t.ids)).toContain('tok_1');
    await issued.stop();
  });

  it('starts even when the store is down, and loads once it answers', async () => {
    const store = new MemoryStore();
    store.issueElsewhere('tok_1', 'bob', 'one');
    store.failing = true;
    const { clock, tokens, issued, lines } = setup(store);
    await issued.start();
    expect(issued.loaded).toBe(false);
    expect(lines.some((l) => l.includes('only configured tokens work'))).toBe(true);
    expect(tokens.identify('configured-token')).toBe('alice');
    store.failing = false;
    clock.advance(1000);
    await settle();
    expect(issued.loaded).toBe(true);
    expect(tokens.identify('one')).toBe('bob');
    await issued.stop();
  });

  it('stops polling when stopped', async () => {
    const { clock, issued } = setup();
    await issued.start();
    expect(clock.pending).toEqual([1000]);
    await issued.stop();
    expect(clock.pending).toEqual([]);
  });
});
