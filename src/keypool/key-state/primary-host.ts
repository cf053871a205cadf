import type { MemoryKeyStateHub } from './memory-hub.js';
import {
  isKeyStateMessage,
  type IpcPort,
  type PrimaryKeyStateMessage,
  type ReplyValue,
  type WorkerKeyStateMessage,
} from './primary-protocol.js';

/**
 * The primary's side of `--workers N` without Redis: it holds the one MemoryKeyStateHub
 * and answers each worker's PrimaryKeyStateChannel. Marks are merged by the hub under the
 * same rules as everywhere (shared-record.ts), one message at a time, so they are atomic;
 * every change is pushed to every subscribed worker, the one that made it included.
 */
export class PrimaryKeyStateHost {
  constructor(private readonly hub: MemoryKeyStateHub) {}

  /** Serves one worker until its link is gone; returns a function that stops serving it. */
  serve(port: IpcPort): () => void {
    let unsubscribe: (() => void) | undefined;
    const send = (message: PrimaryKeyStateMessage): void => {
      try {
        port.send(message);
      } catch {
        // The worker is exiting: its disconnect stops this.
      }
    };
    const stopMessages = port.onMessage((message) => {
      if (!isKeyStateMessage(message)) return;
      const request = message as WorkerKeyStateMessage;
      let value: ReplyValue = null;
      switch (request.ks) {
        case 'subscribe':
          unsubscribe ??= this.hub.subscribe((change) => {
            send({ ks: 'change', change });
          });
          break;
        case 'apply':
          this.hub.apply(request.marks, request.origin);
          break;
        case 'snapshot': {
          const snapshot = this.hub.snapshot(request.fingerprints);
          value = { seq: snapshot.seq, records: [...snapshot.records] };
          break;
        }
        case 'claim':
          value = this.hub.claim(request.fingerprint, request.ttlMs);
          break;
        default:
          return;
      }
      send({ ks: 'reply', id: request.id, value });
    });
    const stop = (): void => {
      unsubscribe?.();
      unsubscribe = undefined;
      stopMessages();
      stopDisconnect();
    };
    const stopDisconnect = port.onDisconnect(stop);
    return stop;
  }
}
