import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseTarget } from '../src/config/database-target.js';
import type { Interception } from '../src/recorder/interception.js';
import type { RecordStore } from '../src/recorder/record-store.js';
import { Recorder } from '../src/recorder/recorder.js';
import { RetentionSweeper } from '../src/recorder/retention.js';
import { LATEST_MIGRATION, MIGRATION_NAMES } from '../src/recorder/sql/migrations.js';
import { openDatabase, type RecordingDatabase } from '../src/recorder/sql/open-database.js';
import { InterceptionStore } from '../src/recorder/sql/interception-store.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { captureLogger } from './support/capture-logger.js';
import { FakeClock } from './support/fake-clock.js';
import { createTestDatabase } from './support/postgres.js';
import { bareInterception, sampleInterception } from './support/sample-interception.js';

type SqlTarget = Exclude<DatabaseTarget, { engine: 'off' }>;

interface Engine {
  readonly name: string;
  setup(): Promise<{ target: SqlTarget; cleanup: () => Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    async setup() {
      const dir = await mkdtemp(join(tmpdir(), 'switchyard-recorder-'));
      return {
        target: { engine: 'sqlite', path: join(dir, 'nested', 'recording.db') },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async setup() {
      const database = await createTestDatabase();
      return { target: { engine: 'postgres', url: database.url }, cleanup: database.drop };
    },
  },
];

const DAY = 86_400_000;

/** Counts every write the recorder makes, and its size, on the way to the real store. */
class CountingStore implements RecordStore {
  readonly batches: number[] = [];
  constructor(private readonly inner: RecordStore) {}
  write(batch: readonly Interception[]): Promise<void> {
    this.batches.push(batch.length);
    return this.inner.write(batch);
  }
  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe.each(engines)('recorder contract: $name', (engine) => {
  let target: SqlTarget;
  let cleanup: () => Promise<void>;
  const open: RecordingDatabase[] = [];

  async function database(): Promise<RecordingDatabase> {
    const db = await openDatabase(target);
    open.push(db);
    return db;
  }

  function recorder(store: RecordStore, options: { batchSize?: number; prompts?: boolean } = {}) {
    const { logger, lines } = captureLogger();
    const scheduler = new FakeClock();
    const instance = new Recorder({
      store,
      database: engine.name,
      logger,
      clock: scheduler,
      keep: { prompts: options.prompts ?? true, thoughts: true },
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    return { recorder: instance, lines };
  }

  beforeEach(async () => {
    ({ target, cleanup } = await engine.setup());
  });

  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    await cleanup();
  });

  it('stores a full interception and reads it back equal', async () => {
    const full = sampleInterception();
    const bare = bareInterception();
    const { recorder: r } = recorder(new SqlRecordStore(target));
    r.record(full);
    r.record(bare);
    await r.drain(10_000);
    expect(r.status()).toMatchObject({ recorded: 2, dropped: 0, failedWrites: 0, queued: 0 });

    const store = new InterceptionStore(await database());
    expect(await store.get(full.id)).toEqual(full);
    expect(await store.get(bare.id)).toEqual(bare);
    expect(await store.get('no-such-id')).toBeUndefined();
  });

  it('keeps text the way it was sent, NUL aside', async () => {
    const odd = sampleInterception({
      user: 'zoë 👩‍💻',
      prompt: 'line one\nline "two"\ttab \\ backslash',
      error: 'nul\u0000inside',
    });
    const { recorder: r } = recorder(new SqlRecordStore(target));
    r.record(odd);
    await r.drain(10_000);
    const stored = await new InterceptionStore(await database()).get(odd.id);
    expect(stored).toEqual({ ...odd, error: 'nul\uFFFDinside' });
  });

  it('leaves out the prompt when recording.prompts is off', async () => {
    const interception = sampleInterception();
    const { recorder: r } = recorder(new SqlRecordStore(target), { prompts: false });
    r.record(interception);
    await r.drain(10_000);
    const stored = await new InterceptionStore(await database()).get(interception.id);
    expect(stored?.prompt).toBeUndefined();
    expect(stored?.thoughts).toBe(interception.thoughts);
  });

  it('writes in batches: what arrives together is written together', async () => {
    const counting = new CountingStore(new SqlRecordStore(target));
    const { recorder: r } = recorder(counting, { batchSize: 40 });
    const all = Array.from({ length: 200 }, (_, i) =>
      sampleInterception({ startedAt: Date.UTC(2026, 0, 1) + i }),
    );
    for (const interception of all) r.record(interception);
    await r.drain(10_000);
    expect(counting.batches).toEqual([40, 40, 40, 40, 40]);
    const store = new InterceptionStore(await database());
    expect(await store.count()).toBe(200);
    for (const interception of [all[0], all[99], all[199]]) {
      expect(await store.get(interception?.id ?? '')).toEqual(interception);
    }
  });

  it('records a batch written twice once', async () => {
    const batch = [sampleInterception(), bareInterception()];
    const writer = new SqlRecordStore(target);
    await writer.write(batch);
    await writer.write(batch);
    await writer.close();
    const db = await database();
    const store = new InterceptionStore(db);
    expect(await store.count()).toBe(2);
    for (const interception of batch)
      expect(await store.get(interception.id)).toEqual(interception);
    const tools = await db.db
      .selectFrom('tool_calls')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(tools.n).toBe(batch[0]?.toolCalls.length);
  });

  it('reads an interception recorded before its upstream calls moved into its row', async () => {
    const old = sampleInterception();
    const writer = new SqlRecordStore(target);
    await writer.write([old]);
    await writer.close();
    const db = (await database()).db;
    // As migration 0002 left it: the calls and attempts in their own tables, in any order.
    await db
      .updateTable('interceptions')
      .set({ upstream: null })
      .where('id', '=', old.id)
      .execute();
    const calls = [...old.upstreamCalls].reverse();
    await db
      .insertInto('upstream_calls')
      .values(
        calls.map((call) => ({
          interception_id: old.id,
          iteration: call.iteration,
          input_tokens: call.usage.input,
          output_tokens: call.usage.output,
          cache_read_tokens: call.usage.cacheRead,
          cache_write_tokens: call.usage.cacheCreation,
          reasoning_tokens: call.usage.reasoning,
          other_usage: call.otherUsage === undefined ? null : JSON.stringify(call.otherUsage),
        })),
      )
      .execute();
    await db
      .insertInto('upstream_attempts')
      .values(
        calls.flatMap((call) =>
          call.attempts
            .map((a, position) => ({
              interception_id: old.id,
              iteration: call.iteration,
              position,
              key_hint: a.keyHint,
              key_index: a.keyIndex ?? null,
              status: a.status ?? null,
              latency_ms: a.latencyMs,
              failed_over: a.failedOver ? 1 : 0,
              upstream_request_id: a.upstreamRequestId ?? null,
              error: a.error ?? null,
            }))
            .reverse(),
        ),
      )
      .execute();
    const store = new InterceptionStore(await database());
    expect(await store.get(old.id)).toEqual(old);
    // Retention deletes its calls and attempts with it.
    expect(await store.deleteStartedBefore(old.startedAt + 1, 10)).toBe(1);
    for (const table of ['upstream_calls', 'upstream_attempts'] as const) {
      const left = await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(left.n, table).toBe(0);
    }
  });

  it('lists newest first, page by page, with filters', async () => {
    const base = Date.UTC(2026, 2, 1);
    // Two share a millisecond: the id orders them, so no page repeats or skips one.
    const all = [
      bareInterception({ startedAt: base, user: 'alice' }),
      bareInterception({ startedAt: base + 10, user: 'bob', model: 'gpt-5-mini' }),
      bareInterception({ startedAt: base + 10, user: 'alice', provider: 'openai-eu' }),
      bareInterception({ startedAt: base + 20, user: 'alice' }),
      bareInterception({ startedAt: base + 30, user: 'bob' }),
    ];
    const writer = new SqlRecordStore(target);
    await writer.write(all);
    await writer.close();
    const store = new InterceptionStore(await database());

    const newestFirst = [...all].sort(
      (a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1),
    );
    const seen: string[] = [];
    let page = await store.list({ limit: 2 });
    seen.push(...page.items.map((i) => i.id));
    while (page.next !== undefined) {
      page = await store.list({ limit: 2, after: page.next });
      seen.push(...page.items.map((i) => i.id));
    }
    expect(seen).toEqual(newestFirst.map((i) => i.id));

    const ids = async (query: Parameters<InterceptionStore['list']>[0]) =>
      (await store.list(query)).items.map((i) => i.id);
    expect(await ids({ limit: 10, user: 'bob' })).toEqual(
      newestFirst.filter((i) => i.user === 'bob').map((i) => i.id),
    );
    expect(await ids({ limit: 10, provider: 'openai-eu' })).toEqual([all[2]?.id]);
    expect(await ids({ limit: 10, model: 'gpt-5-mini' })).toEqual([all[1]?.id]);
    expect(await ids({ limit: 10, since: base + 10, until: base + 30 })).toEqual(
      newestFirst
        .filter((i) => i.startedAt >= base + 10 && i.startedAt < base + 30)
        .map((i) => i.id),
    );
  });

  it('deletes what is older than the retention period, in batches, on its timer', async () => {
    const scheduler = new FakeClock();
    const now = scheduler.now();
    const old = Array.from({ length: 7 }, (_, i) =>
      sampleInterception({ startedAt: now - 61 * DAY - i }),
    );
    const recent = [
      sampleInterception({ startedAt: now - 59 * DAY }),
      bareInterception({ startedAt: now }),
    ];
    const writer = new SqlRecordStore(target);
    await writer.write([...old, ...recent]);

    const deletes: number[] = [];
    const { logger } = captureLogger();
    const sweeper = new RetentionSweeper({
      deleteStartedBefore: async (cutoff, limit) => {
        const n = await writer.use((s) => s.deleteStartedBefore(cutoff, limit));
        deletes.push(n);
        return n;
      },
      retentionMs: 60 * DAY,
      clock: scheduler,
      logger,
      firstSweepAfterMs: 1000,
      intervalMs: 60_000,
      batchSize: 3,
    });
    sweeper.start();
    scheduler.advance(999);
    expect(deletes).toEqual([]);
    scheduler.advance(1);
    // The sweep started on the timer; sweep() joins it rather than starting another.
    expect(await sweeper.sweep()).toBe(7);
    expect(deletes).toEqual([3, 3, 1]);
    await sweeper.stop();
    await writer.close();

    const db = await database();
    const store = new InterceptionStore(db);
    expect(await store.count()).toBe(2);
    for (const gone of old) expect(await store.get(gone.id)).toBeUndefined();
    for (const kept of recent) expect(await store.get(kept.id)).toEqual(kept);
    // Their attempts, calls, tool calls and texts went with them.
    for (const table of [
      'upstream_attempts',
      'upstream_calls',
      'tool_calls',
      'interception_texts',
    ] as const) {
      const row = await db.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(
          'interception_id',
          'not in',
          recent.map((i) => i.id),
        )
        .executeTakeFirstOrThrow();
      expect(row.n, table).toBe(0);
    }
  });

  it('migrates once: a restart finds the schema current and the records kept', async () => {
    const first = sampleInterception();
    const writer = new SqlRecordStore(target);
    await writer.write([first]);
    await writer.close();

    // Restarts, two of them at once as replicas would.
    const [a, b] = await Promise.all([database(), database()]);
    const again = sampleInterception();
    await new InterceptionStore(a).insert([again]);
    expect(await new InterceptionStore(b).count()).toBe(2);
    const applied = await sql<{
      name: string;
    }>`select name from switchyard_migrations order by name`.execute(b.db);
    expect(applied.rows.map((r) => r.name)).toEqual(MIGRATION_NAMES);
    expect(MIGRATION_NAMES.at(-1)).toBe(LATEST_MIGRATION);
  });
});
