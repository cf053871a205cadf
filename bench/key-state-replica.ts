/**
 * One process of bench/key-state-propagation.ts: a key pool whose state is shared through
 * Redis (as a replica holds it) or through its parent over IPC (as a worker holds it, the
 * parent in the primary's place) by the gateway's own store. Run through tsx from the
 * repository, so that the store's Redis client is the gateway's own (bench/node_modules
 * holds an older ioredis for the peer gateway). It makes the marks it is told
 * to, and reports when another process's marks reach its mirror, with times on the
 * machine's monotonic clock (the same in every process of one machine).
 */
import { systemClock } from '../src/keypool/clock.js';
import { keyFingerprinter } from '../src/keypool/key-state/fingerprint.js';
import { KeyStateStore } from '../src/keypool/key-state/key-state-store.js';
import { PrimaryKeyStateChannel } from '../src/keypool/key-state/primary-channel.js';
import { RedisKeyStateChannel } from '../src/keypool/key-state/redis-channel.js';
import { primaryPort } from '../src/cli/cluster/ipc-port.js';
import { Pool } from '../src/keypool/pool.js';
import { createLogger } from '../src/log/logger.js';

export type ToReplica =
  { readonly op: 'temporary' | 'enable'; readonly index: number } | { readonly op: 'stop' };

export type FromReplica =
  | { readonly op: 'ready' }
  | { readonly op: 'marked'; readonly index: number; readonly to: string; readonly ns: string }
  | { readonly op: 'adopted'; readonly index: number; readonly to: string; readonly ns: string };

const send = (message: FromReplica): void => {
  process.send?.(message);
};

const url = process.env['BENCH_REDIS'] ?? 'redis://127.0.0.1:6379';
/** redis: replicas through Redis; primary: workers through their primary (the runner). */
const backend = process.env['BENCH_BACKEND'] === 'primary' ? 'primary' : 'redis';
const secret = process.env['BENCH_KEY_STATE_SECRET'] ?? '';
const keys = JSON.parse(process.env['BENCH_KEYS'] ?? '[]') as string[];
const cause = { source: 'operator' } as const;

const pool = new Pool(keys, systemClock);
pool.onTransition((transition) => {
  if (transition.cause.source !== 'shared') return;
  send({
    op: 'adopted',
    index: transition.key.index,
    to: transition.to,
    ns: process.hrtime.bigint().toString(),
  });
});
const store = new KeyStateStore({
  channel:
    backend === 'primary'
      ? new PrimaryKeyStateChannel(primaryPort())
      : new RedisKeyStateChannel({ url }),
  fingerprint: keyFingerprinter(secret),
  clock: systemClock,
  logger: createLogger({ level: 'warn' }),
});
store.attach([pool]);
await store.start(5000);
if (store.status().state !== 'ok') throw new Error(`the ${backend} key state is not reachable`);

process.on('message', (message: ToReplica | { ks: string }) => {
  if (!('op' in message)) return;
  if (message.op === 'stop') {
    void store.close().then(() => process.exit(0));
    return;
  }
  const key = pool.keys[message.index];
  if (key === undefined) return;
  const ns = process.hrtime.bigint().toString();
  if (message.op === 'temporary') key.markTemporary(60_000, cause);
  else key.enable(cause);
  send({
    op: 'marked',
    index: message.index,
    to: message.op === 'enable' ? 'valid' : 'temporary',
    ns,
  });
});
send({ op: 'ready' });
