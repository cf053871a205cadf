import type { ChannelEvents, KeyStateChannel, Snapshot } from './channel.js';
import {
  isKeyStateMessage,
  type IpcPort,
  type PrimaryKeyStateMessage,
  type ReplyValue,
  type WorkerKeyStateMessage,
} from './primary-protocol.js';
import type { SharedMark } from './shared-record.js';

type Request = WorkerKeyStateMessage extends infer M
  ? M extends WorkerKeyStateMessage
    ? Omit<M, 'id'>
    : never
  : never;

/**
 * A worker's connection to the key state its primary holds (primary-host.ts), over the
 * cluster's IPC channel. Requests are answered in the order they were sent; changes arrive
 * in the order the primary applied them, the worker's own marks included.
 */
export class PrimaryKeyStateChannel implements KeyStateChannel {
  readonly backend = 'primary';
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: ReplyValue) => void; reject: (error: Error) => void }
  >();
  private readonly stops: (() => void)[] = [];
  private gone = false;

  constructor(private readonly port: IpcPort) {}

  connect(events: ChannelEvents): void {
    this.stops.push(
      this.port.onMessage((message) => {
        if (!isKeyStateMessage(message)) return;
        const reply = message as PrimaryKeyStateMessage;
        if (reply.ks === 'change') {
          events.change(reply.change);
          return;
        }
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        waiting?.resolve(reply.value);
      }),
      this.port.onDisconnect(() => {
        this.gone = true;
        const error = new Error('the primary process is gone');
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
        events.down(error);
      }),
    );
    this.request({ ks: 'subscribe' }).then(
      () => {
        events.up();
      },
      (error: unknown) => {
        events.down(error as Error);
      },
    );
  }

  async apply(marks: readonly SharedMark[], origin: string): Promise<void> {
    await this.request({ ks: 'apply', marks, origin });
  }

  async snapshot(fingerprints: readonly string[]): Promise<Snapshot> {
    const value = await this.request({ ks: 'snapshot', fingerprints });
    if (value === null || typeof value !== 'object') throw new Error('bad snapshot reply');
    return { seq: value.seq, records: new Map(value.records) };
  }

  async claim(fingerprint: string, ttlMs: number): Promise<boolean> {
    return (await this.request({ ks: 'claim', fingerprint, ttlMs })) === true;
  }

  close(): Promise<void> {
    for (const stop of this.stops) stop();
    const error = new Error('the key-state channel is closed');
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    return Promise.resolve();
  }

  private request(request: Request): Promise<ReplyValue> {
    if (this.gone) return Promise.reject(new Error('the primary process is gone'));
    const id = this.nextId++;
    return new Promise<ReplyValue>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.port.send({ ...request, id });
      } catch (error) {
        this.pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}
