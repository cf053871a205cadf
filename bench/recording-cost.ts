/**
 * `npm run bench:recording-cost [-- --seconds N --rounds N --rate R --linger MS]`: the CPU time
 * recording one interception into SQLite costs the gateway process (every thread: the event
 * loop's hand-over and the recording thread's rows and commits), at a gateway's pace rather
 * than flat out: R interceptions a second (default 1,000) in 10 ms steps, the recorder wired as
 * the gateway wires it (the recording thread, its linger). Each round also runs the same paced
 * loop with no recorder, and the figure is the difference: what the HTTP benchmarks' "CPU per
 * request" adds with recording on, without their noise (load generator, mock, HTTP).
 *
 * The interception is a typical bench request's: one call, one attempt, a prompt, a client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { timeOrderedId } from '../src/interception/request-id.js';
import { systemClock } from '../src/keypool/clock.js';
import { createLogger } from '../src/log/logger.js';
import type { Interception } from '../src/recorder/interception.js';
import { Recorder } from '../src/recorder/recorder.js';
import { SQLITE_LINGER_MS } from '../src/recorder/recording.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { WorkerRecordStore } from '../src/recorder/worker-record-store.js';
import { typicalInterception } from '../test/support/sample-interception.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '1000' },
    linger: { type: 'string', default: String(SQLITE_LINGER_MS) },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const RATE = Number(values.rate);
const LINGER_MS = Number(values.linger);
const STEP_MS = 10;

const typical: Interception = typicalInterception({
  client: { name: 'other', userAgent: 'autocannon/7.15.0' },
});

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** Offers RATE a second for SECONDS (to `recorder`, or to nobody); CPU µs per interception. */
async function paced(recorder: Recorder | undefined): Promise<number> {
  const perStep = (RATE * STEP_MS) / 1000;
  const steps = (SECONDS * 1000) / STEP_MS;
  const started = performance.now();
  const cpu = process.cpuUsage();
  let offered = 0;
  for (let step = 0; step < steps; step++) {
    const wait = started + step * STEP_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const now = Date.now();
    for (let i = 0; i < perStep; i++) {
      recorder?.record({ ...typical, id: timeOrderedId(now), startedAt: now, endedAt: now + 640 });
      offered++;
    }
  }
  // Until the last batch is written: its commit is part of the cost.
  while (recorder !== undefined && recorder.status().queued > 0) await sleep(5);
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / offered;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bench-recording-cost-'));
  const path = join(dir, 'recording.db');
  const migrator = new SqlRecordStore({ engine: 'sqlite', path });
  const recorder = new Recorder({
    store: new WorkerRecordStore({ path, prepare: () => migrator.connect() }),
    lingerMs: LINGER_MS,
    database: 'sqlite',
    logger: createLogger({ level: 'warn' }),
    clock: systemClock,
    keep: { prompts: true, thoughts: true },
  });
  try {
    recorder.start();
    await paced(recorder); // warm-up: the thread, the statements, the JIT
    const costs: number[] = [];
    console.log(
      `recording cost at ${RATE}/s, linger ${LINGER_MS} ms, ${ROUNDS} rounds × ${SECONDS} s`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const off = await paced(undefined);
      const on = await paced(recorder);
      costs.push(on - off);
      console.log(
        `  round ${round + 1}: ${off.toFixed(1)} µs without, ${on.toFixed(1)} µs with → ${(on - off).toFixed(1)} µs per interception`,
      );
    }
    const sorted = [...costs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    const status = recorder.status();
    console.log(
      `median ${median.toFixed(1)} µs CPU per interception (all threads); recorded ${status.recorded}, dropped ${status.dropped}`,
    );
  } finally {
    await recorder.drain(30_000);
    await migrator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
