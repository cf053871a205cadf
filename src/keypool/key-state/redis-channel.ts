import { Redis, type RedisOptions, type Result } from 'ioredis';
import type { ChannelEvents, KeyStateChannel, SharedChange, Snapshot } from './channel.js';
import { APPLY_MARKS, SNAPSHOT } from './redis-scripts.js';
import { ENABLE_MEMORY_MS, type SharedMark, type SharedRecord } from './shared-record.js';

/** Every Redis key and channel of the key state starts with this. */
export const REDIS_NAMESPACE = 'switchyard:key-state';

const SEQ_KEY = `${REDIS_NAMESPACE}:seq`;
const CHANGES = `${REDIS_NAMESPACE}:changes`;
const recordKey = (fingerprint: string): string => `${REDIS_NAMESPACE}:key:${fingerprint}`;
const claimKey = (fingerprint: string): string => `${REDIS_NAMESPACE}:recheck:${fingerprint}`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    keyStateApply(...args: (string | number)[]): Result<number, Context>;
    keyStateSnapshot(...args: (string | number)[]): Result<string[], Context>;
  }
}

export interface RedisChannelOptions {
  readonly url: string;
  /** Per command; past it the command fails and the mark waits for the reconciliation. */
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts. */
  readonly reconnectMaxMs?: number;
}

/**
 * Key state in Redis: two connections, one for commands and one subscribed to the changes.
 * Nothing queues while Redis is away (a mark fails at once and stays in the process until
 * the reconciliation) and ioredis reconnects by itself, backing off.
 */
export class RedisKeyStateChannel implements KeyStateChannel {
  readonly backend = 'redis';
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private events: ChannelEvents | undefined;
  private commandsReady = false;
  private subscribed = false;
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private lastError: Error | undefined;
  private closing = false;

  constructor(options: RedisChannelOptions) {
    const reconnectMaxMs = options.reconnectMaxMs ?? 2000;
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      // A command caught by a lost connection fails at once instead of being sent again later.
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2000,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      // RESP2: every Redis-compatible server speaks it, and nothing here needs RESP3.
      protocol: 2,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 8), reconnectMaxMs),
    };
    this.commands = new Redis(options.url, { ...common, connectionName: 'switchyard-key-state' });
    this.subscriber = new Redis(options.url, {
      ...common,
      connectionName: 'switchyard-key-state-changes',
      // Subscribed again by hand on every connection, so that `up` follows the subscription.
      autoResubscribe: false,
    });
    this.commands.defineCommand('keyStateApply', { lua: APPLY_MARKS });
    this.commands.defineCommand('keyStateSnapshot', { lua: SNAPSHOT });
  }

  connect(events: ChannelEvents): void {
    this.events = events;
    this.commands.on('ready', () => {
      this.commandsReady = true;
      this.update();
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(CHANGES).then(
        () => {
          this.subscribed = true;
          this.update();
        },
        (error: unknown) => {
          this.failed(error);
          // The connection stays up; try again as if it had dropped.
          this.subscriber.disconnect(true);
        },
      );
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== CHANGES) return;
      const change = parseChange(message);
      if (change !== undefined) events.change(change);
    });
    for (const [connection, ready] of [
      [this.commands, (v: boolean) => (this.commandsReady = v)],
      [this.subscriber, (v: boolean) => (this.subscribed = v)],
    ] as const) {
      connection.on('error', (error: Error) => {
        this.lastError = error;
      });
      connection.on('close', () => {
        ready(false);
        this.update();
      });
      // The first attempt may fail before any 'close'; ioredis keeps retrying either way.
      connection.connect().catch((error: unknown) => {
        this.failed(error);
      });
    }
  }

  async apply(marks: readonly SharedMark[], origin: string, now: number): Promise<void> {
    if (marks.length === 0) return;
    const args: (string | number)[] = [
      marks.length + 1,
      SEQ_KEY,
      ...marks.map((mark) => recordKey(mark.fingerprint)),
      CHANGES,
      now,
      ENABLE_MEMORY_MS,
      origin,
    ];
    for (const mark of marks) {
      args.push(mark.kind, mark.until, mark.at, mark.replay ? 1 : 0, mark.fingerprint);
    }
    await this.commands.keyStateApply(...args);
  }

  async snapshot(fingerprints: readonly string[]): Promise<Snapshot> {
    const reply = await this.commands.keyStateSnapshot(
      fingerprints.length + 1,
      SEQ_KEY,
      ...fingerprints.map(recordKey),
    );
    const records = new Map<string, SharedRecord>();
    fingerprints.forEach((fingerprint, i) => {
      const [permanent, until, since, enabledAt] = reply.slice(1 + i * 4, 5 + i * 4);
      if (permanent === undefined || permanent === '') return;
      records.set(fingerprint, {
        permanent: permanent === '1',
        until: Number(until),
        since: Number(since),
        enabledAt: Number(enabledAt),
      });
    });
    return { seq: Number(reply[0]), records };
  }

  async claim(fingerprint: string, ttlMs: number): Promise<boolean> {
    const reply = await this.commands.set(claimKey(fingerprint), '1', 'PX', ttlMs, 'NX');
    return reply === 'OK';
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [this.commands, this.subscriber].map(async (connection) => {
        if (connection.status !== 'ready') {
          connection.disconnect();
          return;
        }
        try {
          await connection.quit();
        } catch {
          connection.disconnect();
        }
      }),
    );
  }

  private failed(error: unknown): void {
    this.lastError = error instanceof Error ? error : new Error(String(error));
    this.update();
  }

  /** `up` once both connections are ready and subscribed; `down` when either is lost. */
  private update(): void {
    if (this.closing || this.events === undefined) return;
    if (this.commandsReady && this.subscribed) {
      if (this.state === 'up') return;
      this.state = 'up';
      this.events.up();
      return;
    }
    const wasUp = this.state === 'up';
    // Before the first connection, only a failure says anything.
    if (!wasUp && (this.state === 'down' || this.lastError === undefined)) return;
    this.state = 'down';
    this.events.down(this.lastError ?? new Error('connection closed'));
  }
}

/** `seq fingerprint permanent until since origin`, as APPLY_MARKS publishes it. */
function parseChange(message: string): SharedChange | undefined {
  const [seq, fingerprint, permanent, until, since, origin] = message.split(' ');
  if (origin === undefined || fingerprint === undefined) return undefined;
  return {
    seq: Number(seq),
    fingerprint,
    permanent: permanent === '1',
    until: Number(until),
    since: Number(since),
    origin,
  };
}
