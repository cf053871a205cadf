import { describe, expect, it, vi } from 'vitest';
import { captureLogger } from '../../test/support/capture-logger.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { bareInterception } from '../../test/support/sample-interception.js';
import type { Interception } from './interception.js';
import { RejectedRecordsError, type RecordStore } from './record-store.js';
import { Recorder } from './recorder.js';

/** A store the test steers: failing, hanging, or refusing some ids; what it kept, in order. */
class ScriptedStore implements RecordStore {
  readonly stored: string[] = [];
  readonly writes: number[] = [];
  failure: Error | undefined;
  refused = new Set<string>();
  closed = false;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async write(batch: readonly Interception[]): Promise<void> {
    this.writes.push(batch.length);
    await this.gate;
    if (this.failure !== undefined) throw this.failure;
    if (batch.some((i) => this.refused.has(i.id))) throw new RejectedRecordsError('bad value');
    for (const i of batch) if (!this.stored.includes(i.id)) this.stored.push(i.id);
  }

  async connect(): Promise<void> {
    await this.gate;
    if (this.failure !== undefined) throw this.failure;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function setup(options: { capacity?: number; batchSize?: number; lingerMs?: number } = {}) {
  const store = new ScriptedStore();
  const scheduler = new FakeClock();
  const { logger, lines } = captureLogger();
  const recorder = new Recorder({
    store,
    database: 'scripted',
    logger,
    clock: scheduler,
    keep: { prompts: true, thoughts: false },
    retryMinMs: 100,
    retryMaxMs: 400,
    ...options,
  });
  const logged = (msg: string) =>
    lines.filter((line) => (JSON.parse(line) as { msg: string }).msg.startsWith(msg));
  return { store, scheduler, recorder, logged };
}

function many(n: number): Interception[] {
  return Array.from({ length: n }, (_, i) => bareInterception({ startedAt: 1_000 + i }));
}

describe('Recorder', () => {
  it('lets a small batch wait lingerMs for more, writes a full one at once, and drains without waiting', async () => {
    // A linger far longer than the test: what is written was not written by its timer.
    const { store, recorder } = setup({ batchSize: 4, lingerMs: 60_000 });
    const idle = () => new Promise((resolve) => setImmediate(resolve));
    // The connection made at start, out of the way.
    recorder.start();
    await idle();
    await idle();
    const all = many(7);
    for (const i of all.slice(0, 2)) recorder.record(i);
    await idle();
    await idle();
    expect(store.writes).toEqual([]);
    // Reaching a full batch does not wait: the two waiting and two more go together.
    for (const i of all.slice(2, 4)) recorder.record(i);
    await vi.waitFor(() => {
      expect(store.writes).toEqual([4]);
    });
    // Shutdown does not wait for the linger either.
    for (const i of all.slice(4)) recorder.record(i);
    await recorder.drain(1_000);
    expect(store.writes).toEqual([4, 3]);
    expect(store.stored).toEqual(all.map((i) => i.id));
  });

  it('writes a small batch once its linger is over', async () => {
    const { store, recorder } = setup({ batchSize: 100, lingerMs: 5 });
    const [one] = many(1);
    recorder.record(one as Interception);
    await vi.waitFor(() => {
      expect(store.stored).toEqual([one?.id]);
    });
    expect(store.writes).toEqual([1]);
  });

  it('queues without waiting for a slow database, drops past capacity, logs the burst once', async () => {
    const { store, recorder, logged } = setup({ capacity: 10, batchSize: 4 });
    store.hold();
    const all = many(15);
    for (const i of all) recorder.record(i);
    await vi.waitFor(() => {
      expect(store.writes).toEqual([4]);
    });
    expect(recorder.status()).toMatchObject({ state: 'degraded', queued: 10, dropped: 5 });
    expect(logged('recorder: queue full')).toHaveLength(1);

    store.release();
    await vi.waitFor(() => {
      expect(recorder.status().queued).toBe(0);
    });
    expect(store.stored).toEqual(all.slice(0, 10).map((i) => i.id));
    expect(recorder.status()).toMatchObject({ state: 'ok', recorded: 10, dropped: 5 });
    const ended = logged('recorder: queue has room again');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toContain('"dropped":5');
  });

  it('retries a failed batch after a backoff, logs the outage once, and writes it once', async () => {
    const { store, scheduler, recorder, logged } = setup({ batchSize: 100 });
    store.failure = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const first = many(3);
    for (const i of first) recorder.record(i);
    await vi.waitFor(() => {
      expect(store.writes).toEqual([3]);
    });
    expect(recorder.status()).toMatchObject({
      state: 'degraded',
      failedWrites: 1,
      queued: 3,
      lastError: 'connect ECONNREFUSED 127.0.0.1:5432',
    });

    scheduler.advance(99);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.writes).toHaveLength(1);
    scheduler.advance(1);
    await vi.waitFor(() => {
      expect(store.writes).toHaveLength(2);
    });
    // The backoff doubles: 200 ms now.
    scheduler.advance(199);
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.writes).toHaveLength(2);
    expect(logged('recorder: database write failed')).toHaveLength(1);

    const later = many(2);
    for (const i of later) recorder.record(i);
    store.failure = undefined;
    scheduler.advance(1);
    await vi.waitFor(() => {
      expect(recorder.status().queued).toBe(0);
    });
    expect(store.stored).toEqual([...first, ...later].map((i) => i.id));
    expect(recorder.status()).toMatchObject({ state: 'ok', recorded: 5, failedWrites: 2 });
    const resumed = logged('recorder: database writes resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toContain('"failed_writes":2');
  });

  it('keeps the rest of a batch when the database refuses one interception', async () => {
    const { store, recorder, logged } = setup();
    const all = many(5);
    store.refused.add(all[2]?.id ?? '');
    for (const i of all) recorder.record(i);
    await vi.waitFor(() => {
      expect(recorder.status().queued).toBe(0);
    });
    expect(store.stored).toEqual(all.filter((_, n) => n !== 2).map((i) => i.id));
    expect(recorder.status()).toMatchObject({ state: 'ok', recorded: 4, rejected: 1 });
    expect(logged('recorder: the database refused an interception')).toHaveLength(1);
  });

  it('shows a database it cannot open before any request, and recovers while idle', async () => {
    const { store, scheduler, recorder, logged } = setup();
    store.failure = Object.assign(new Error('unable to open database file'), {
      code: 'SQLITE_CANTOPEN',
    });
    recorder.start();
    await vi.waitFor(() => {
      expect(recorder.status().state).toBe('degraded');
    });
    expect(recorder.status().lastError).toBe('SQLITE_CANTOPEN: unable to open database file');
    expect(logged('recorder: database write failed')).toHaveLength(1);
    store.failure = undefined;
    scheduler.advance(100);
    await vi.waitFor(() => {
      expect(recorder.status().state).toBe('ok');
    });
    expect(logged('recorder: database writes resumed')).toHaveLength(1);
  });

  it('drains on shutdown, and counts what a dead database leaves unwritten', async () => {
    const { store, recorder, logged } = setup();
    store.failure = new Error('disk I/O error');
    for (const i of many(3)) recorder.record(i);
    await recorder.drain(50);
    expect(recorder.status()).toMatchObject({ queued: 0, dropped: 3, recorded: 0 });
    expect(logged('recorder: shutting down with interceptions not recorded')[0]).toContain(
      '"dropped":3',
    );
    expect(store.closed).toBe(true);
    recorder.record(bareInterception());
    expect(recorder.status().dropped).toBe(4);
  });

  it('writes everything queued before closing when the database is well', async () => {
    const { store, recorder } = setup({ batchSize: 2 });
    const all = many(5);
    for (const i of all) recorder.record(i);
    await recorder.drain(10_000);
    expect(store.stored).toEqual(all.map((i) => i.id));
    expect(store.closed).toBe(true);
  });

  it('keeps no thoughts when recording.thoughts is off', async () => {
    const { store, recorder } = setup();
    const seen: Interception[] = [];
    const write = store.write.bind(store);
    store.write = (batch) => {
      seen.push(...batch);
      return write(batch);
    };
    recorder.record(bareInterception({ prompt: 'hello', thoughts: 'hmm' }));
    await recorder.drain(10_000);
    expect(seen[0]?.prompt).toBe('hello');
    expect(seen[0]).not.toHaveProperty('thoughts');
  });
});
