/**
 * `npm run bench:recorder [-- --seconds N --engine sqlite|postgres|both]`: how many
 * interceptions per second the recorder writes into SQLite and into PostgreSQL with its
 * queue bounded, in this process, without the HTTP path around it.
 *
 * - sustained: the producer keeps the queue full (it waits while the queue is at capacity,
 *   so nothing is dropped) for N seconds; the figure is what was written per second.
 * - at target: the targets of issue 11 (5,000/s SQLite, 2,000/s PostgreSQL) offered at a
 *   steady pace for N seconds (default 10); PASS when everything offered is written, nothing
 *   is dropped and the queue stays below capacity. Also reports the share of the event loop's time the recorder took at that
 *   rate: that time is taken from the gateway's requests.
 *
 * The sustained phase also gives this process's CPU time per interception written (every
 * thread's, the recording thread's included), which moves less than rates do when other work
 * shares the machine. Ids are the gateway's own (UUIDv7, time-ordered): random ids would
 * measure a different, slower B-tree.
 *
 * Two shapes of interception: "typical" (one call, one attempt, a prompt: 4 rows) and
 * "agentic" (two calls, three attempts, two tool calls, prompt and thoughts: 9 rows).
 * PostgreSQL is the machine's (127.0.0.1:5432, user postgres, or SWITCHYARD_TEST_POSTGRES);
 * a database with a random name is created and dropped.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DatabaseTarget } from '../src/config/database-target.js';
import type { Interception } from '../src/recorder/interception.js';
import { systemClock } from '../src/keypool/clock.js';
import { timeOrderedId } from '../src/interception/request-id.js';
import { Recorder } from '../src/recorder/recorder.js';
import { SQLITE_LINGER_MS } from '../src/recorder/recording.js';
import { InterceptionStore } from '../src/recorder/sql/interception-store.js';
import { openDatabase } from '../src/recorder/sql/open-database.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { WorkerRecordStore } from '../src/recorder/worker-record-store.js';
import { createLogger } from '../src/log/logger.js';
import { createTestDatabase } from '../test/support/postgres.js';
import { sampleInterception, typicalInterception } from '../test/support/sample-interception.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    engine: { type: 'string', default: 'both' },
    capacity: { type: 'string', default: '10000' },
    batch: { type: 'string', default: '500' },
  },
});
const SECONDS = Number(values.seconds);
const CAPACITY = Number(values.capacity);
const BATCH = Number(values.batch);

type SqlTarget = Exclude<DatabaseTarget, { engine: 'off' }>;
type Shape = 'typical' | 'agentic';

interface EngineSetup {
  readonly name: 'SQLite' | 'PostgreSQL';
  readonly target: number;
  prepare(): Promise<{
    target: SqlTarget;
    size: () => Promise<string>;
    cleanup: () => Promise<void>;
  }>;
}

const ENGINES: readonly EngineSetup[] = [
  {
    name: 'SQLite',
    target: 5_000,
    async prepare() {
      const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-recorder-'));
      const path = join(dir, 'bench.db');
      return {
        target: { engine: 'sqlite', path },
        size: async () => `${((await stat(path)).size / 2 ** 20).toFixed(1)} MiB file`,
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'PostgreSQL',
    target: 2_000,
    async prepare() {
      const database = await createTestDatabase();
      return {
        target: { engine: 'postgres', url: database.url },
        size: () => Promise.resolve(`database ${database.name}`),
        cleanup: database.drop,
      };
    },
  },
];

const template: Record<Shape, Interception> = {
  agentic: sampleInterception(),
  typical: typicalInterception(),
};

/** Written by every recorder of the current engine: what its tables must hold. */
let recordedTotal = 0;
function next(shape: Shape, startedAt: number): Interception {
  return { ...template[shape], id: timeOrderedId(startedAt), startedAt, endedAt: startedAt + 640 };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wired as the gateway wires it: SQLite written on the recording thread, after a linger. */
function newRecorder(target: SqlTarget): Recorder {
  return new Recorder({
    store:
      target.engine === 'sqlite'
        ? new WorkerRecordStore({ path: target.path })
        : new SqlRecordStore(target),
    ...(target.engine === 'sqlite' ? { lingerMs: SQLITE_LINGER_MS } : {}),
    database: target.engine,
    logger: createLogger({ level: 'warn' }),
    clock: systemClock,
    keep: { prompts: true, thoughts: true },
    capacity: CAPACITY,
    batchSize: BATCH,
  });
}

/** Connects and migrates before the clock starts: one interception written proves it. */
async function connected(recorder: Recorder): Promise<void> {
  recorder.record(next('typical', Date.now()));
  while (recorder.status().recorded < 1) {
    const error = recorder.status().lastError;
    if (error !== undefined) throw new Error(`cannot write to the database: ${error}`);
    await sleep(5);
  }
}

/** Keeps the queue full for `SECONDS`; returns interceptions written per second. */
async function sustained(
  target: SqlTarget,
  shape: Shape,
): Promise<{ rate: number; dropped: number; cpuUs: number }> {
  const recorder = newRecorder(target);
  await connected(recorder);
  const before = recorder.status().recorded;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const end = started + SECONDS * 1000;
  while (performance.now() < end) {
    const room = CAPACITY - recorder.status().queued;
    const now = Date.now();
    for (let i = 0; i < room; i++) recorder.record(next(shape, now));
    // Waiting for room, not spinning: the CPU figure is the recorder's, not this loop's.
    if (room === 0) await sleep(1);
    else await tick();
  }
  const written = recorder.status().recorded - before;
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await recorder.drain(60_000);
  recordedTotal += recorder.status().recorded;
  return {
    rate: written / elapsed,
    dropped: recorder.status().dropped,
    cpuUs: (used.user + used.system) / written,
  };
}

interface PacedResult {
  readonly offered: number;
  readonly recorded: number;
  readonly dropped: number;
  readonly maxQueued: number;
  readonly loopShare: number;
}

/** Offers `rate` interceptions per second in 10 ms steps for `SECONDS`. */
async function paced(target: SqlTarget, shape: Shape, rate: number): Promise<PacedResult> {
  const recorder = newRecorder(target);
  await connected(recorder);
  const before = recorder.status().recorded;
  const started = performance.now();
  const elu = performance.eventLoopUtilization();
  let offered = 0;
  let maxQueued = 0;
  while (performance.now() - started < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    const now = Date.now();
    for (; offered < due; offered++) recorder.record(next(shape, now));
    maxQueued = Math.max(maxQueued, recorder.status().queued);
    await sleep(10);
  }
  const loop = performance.eventLoopUtilization(elu);
  await recorder.drain(60_000);
  const status = recorder.status();
  recordedTotal += status.recorded;
  return {
    offered,
    recorded: status.recorded - before,
    dropped: status.dropped,
    maxQueued,
    loopShare: loop.utilization,
  };
}

const num = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const engines = ENGINES.filter(
    (e) => values.engine === 'both' || e.name.toLowerCase() === values.engine,
  );
  console.log(
    `recorder benchmark: ${SECONDS} s per phase, queue capacity ${num(CAPACITY)}, batch ${num(BATCH)}, node ${process.version}`,
  );
  let failed = false;
  for (const engine of engines) {
    const setup = await engine.prepare();
    try {
      for (const shape of ['typical', 'agentic'] as const) {
        const max = await sustained(setup.target, shape);
        const atTarget = await paced(setup.target, shape, engine.target);
        // Sustaining the target is keeping up with it: nothing dropped, everything written,
        // the queue far from full. The sustained maximum says how much headroom there is.
        const ok =
          atTarget.dropped === 0 &&
          atTarget.recorded === atTarget.offered &&
          atTarget.maxQueued < CAPACITY;
        failed ||= !ok;
        console.log(
          [
            `${engine.name.padEnd(10)} ${shape.padEnd(8)}`,
            `sustained ${num(max.rate).padStart(7)}/s (dropped ${max.dropped}, ${num(max.cpuUs)} µs CPU each)`,
            `| at ${num(engine.target)}/s: ${num(atTarget.recorded)}/${num(atTarget.offered)} written, dropped ${atTarget.dropped}, queue max ${num(atTarget.maxQueued)}, event loop ${(atTarget.loopShare * 100).toFixed(1)} % busy`,
            ok ? 'PASS' : 'FAIL',
          ].join('  '),
        );
      }
      const database = await openDatabase(setup.target);
      const rows = await new InterceptionStore(database).count();
      await database.close();
      if (rows !== recordedTotal) {
        failed = true;
        console.log(
          `${engine.name}: ${num(rows)} rows stored for ${num(recordedTotal)} recorded: FAIL`,
        );
      } else {
        console.log(
          `${engine.name}: all ${num(rows)} interceptions stored once (${await setup.size()})`,
        );
      }
      recordedTotal = 0;
    } finally {
      await setup.cleanup();
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
