/**
 * `npm run bench:key-state [-- --marks N --interval-ms M --redis URL --backend redis|primary|both]`:
 * how long a key mark made in one process takes to reach another process's mirror through
 * Redis, or through the primary of `--workers N` (this runner plays the primary: the
 * gateway's PrimaryKeyStateHost over the children's IPC channels) — from the
 * moment the first process's pool marks the key to the moment the second one's pool holds
 * the new state (the Lua script, the publish, the subscriber, the mirror), on loopback.
 *
 * Two processes of bench/key-state-replica.ts (through tsx, as the child's comment says why)
 * each hold a pool of 50 keys shared through
 * the machine's Redis (127.0.0.1:6379 by default) with a fresh secret, so nothing of any
 * other run is touched. The runner has one of them mark a key every M ms (default 5),
 * alternating a 60 s cooldown and a re-enable on each key in turn, and pairs each mark with
 * the other process's adoption of it. Both stamp the machine's monotonic clock, which is the
 * same for every process of one machine. Targets (issue 13): p99 ≤ 50 ms through Redis,
 * ≤ 5 ms through the primary.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { keyFingerprinter } from '../src/keypool/key-state/fingerprint.js';
import { REDIS_NAMESPACE } from '../src/keypool/key-state/redis-channel.js';
import { systemClock } from '../src/keypool/clock.js';
import { MemoryKeyStateHub } from '../src/keypool/key-state/memory-hub.js';
import { PrimaryKeyStateHost } from '../src/keypool/key-state/primary-host.js';
import type { IpcPort } from '../src/keypool/key-state/primary-protocol.js';
import type { FromReplica, ToReplica } from './key-state-replica.js';
import { REPO_ROOT } from './compile.js';
import { spawnNode, type ChildHandle } from './processes.js';
import { percentile, sorted } from './stats.js';

const { values } = parseArgs({
  options: {
    marks: { type: 'string', default: '2000' },
    'interval-ms': { type: 'string', default: '5' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    backend: { type: 'string', default: 'both' },
  },
});
const MARKS = Number(values.marks);
const INTERVAL_MS = Number(values['interval-ms']);
const KEYS = 50;
const TARGET_P99_MS = { redis: 50, primary: 5 } as const;
type Backend = keyof typeof TARGET_P99_MS;
const BACKENDS: Backend[] =
  values.backend === 'both' ? ['primary', 'redis'] : [values.backend as Backend];

interface Replica {
  readonly child: ChildHandle;
  readonly messages: FromReplica[];
  readonly listeners: Set<(message: FromReplica) => void>;
}

async function startReplica(
  name: string,
  logDir: string,
  secret: string,
  keys: readonly string[],
  backend: Backend,
  host: PrimaryKeyStateHost,
): Promise<Replica> {
  const child = spawnNode({
    name,
    args: ['--import', 'tsx', 'bench/key-state-replica.ts'],
    cwd: REPO_ROOT,
    logFile: join(logDir, `${name}.log`),
    ipc: true,
    env: {
      ...process.env,
      BENCH_REDIS: values.redis,
      BENCH_KEY_STATE_SECRET: secret,
      BENCH_KEYS: JSON.stringify(keys),
      BENCH_BACKEND: backend,
    },
  });
  if (backend === 'primary') host.serve(childPort(child));
  const replica: Replica = { child, messages: [], listeners: new Set() };
  child.proc.on('message', (message: FromReplica | { ks: string }) => {
    if (!('op' in message)) return;
    replica.messages.push(message);
    for (const listener of replica.listeners) listener(message);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not connect to ${backend} (see ${logDir})`));
    }, 15_000);
    replica.listeners.add((message) => {
      if (message.op !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
  });
  return replica;
}

const tell = (replica: Replica, message: ToReplica): void => {
  replica.child.proc.send(message);
};

const logDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-key-state-'));
let failed = false;
for (const backend of BACKENDS) {
  if (!(await measure(backend))) failed = true;
}
process.exitCode = failed ? 1 : 0;

function childPort(child: ChildHandle): IpcPort {
  return {
    send(message) {
      if (child.proc.connected) child.proc.send(message as object);
    },
    onMessage(listener) {
      child.proc.on('message', listener);
      return () => child.proc.off('message', listener);
    },
    onDisconnect(listener) {
      child.proc.on('disconnect', listener);
      return () => child.proc.off('disconnect', listener);
    },
  };
}

/** One backend's run; true when it meets its target. */
async function measure(backend: Backend): Promise<boolean> {
  const secret = randomBytes(16).toString('hex');
  const keys = Array.from({ length: KEYS }, (_, i) => `bench-key-${secret}-${i}`);
  const host = new PrimaryKeyStateHost(new MemoryKeyStateHub(systemClock));
  const [marker, mirror] = await Promise.all([
    startReplica(`marker-${backend}`, logDir, secret, keys, backend, host),
    startReplica(`mirror-${backend}`, logDir, secret, keys, backend, host),
  ]);
  try {
    const through = backend === 'redis' ? `Redis (${values.redis})` : 'the primary (IPC)';
    console.log(
      `key-state propagation through ${through}: ${MARKS} marks, one every ${INTERVAL_MS} ms, ${KEYS} keys`,
    );
    for (let i = 0; i < MARKS; i++) {
      const index = i % KEYS;
      tell(marker, { op: Math.floor(i / KEYS) % 2 === 0 ? 'temporary' : 'enable', index });
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
    // Stragglers: anything later than a second counts as lost.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const marks = marker.messages.filter((m) => m.op === 'marked');
    const adoptions = mirror.messages.filter((m) => m.op === 'adopted');
    const waiting = new Map<string, bigint[]>();
    for (const mark of marks) {
      const id = `${mark.index}:${mark.to}`;
      waiting.set(id, [...(waiting.get(id) ?? []), BigInt(mark.ns)]);
    }
    const latencies: number[] = [];
    for (const adoption of adoptions) {
      const queue = waiting.get(`${adoption.index}:${adoption.to}`);
      const markedAt = queue?.shift();
      if (markedAt === undefined) continue;
      latencies.push(Number(BigInt(adoption.ns) - markedAt) / 1e6);
    }
    const lost = marks.length - latencies.length;
    const ordered = sorted(latencies);
    const ms = (p: number): string => `${percentile(ordered, p).toFixed(2)} ms`;
    console.log(
      `  samples ${latencies.length}, lost ${lost}; p50 ${ms(50)}, p90 ${ms(90)}, p99 ${ms(99)}, max ${ms(100)}`,
    );
    const p99 = percentile(ordered, 99);
    const pass = lost === 0 && p99 <= TARGET_P99_MS[backend];
    console.log(`  target p99 ≤ ${TARGET_P99_MS[backend]} ms: ${pass ? 'PASS' : 'FAIL'}`);
    return pass;
  } finally {
    for (const replica of [marker, mirror]) tell(replica, { op: 'stop' });
    await Promise.all([marker.child.stop(), mirror.child.stop()]);
    if (backend === 'redis') {
      // This run's records: the re-enables would otherwise stay in Redis for a day.
      const redis = new Redis(values.redis);
      const fingerprint = keyFingerprinter(secret);
      await redis.del(...keys.map((key) => `${REDIS_NAMESPACE}:key:${fingerprint(key)}`));
      await redis.quit();
    }
  }
}
