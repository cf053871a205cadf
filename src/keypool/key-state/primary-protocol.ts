import type { SharedChange } from './channel.js';
import type { SharedMark, SharedRecord } from './shared-record.js';

/**
 * The messages between a worker's key-state channel and the primary that holds the key
 * state (`--workers N` without Redis). Every one carries `ks` so that a process's other
 * IPC traffic is never mistaken for it.
 */
export type WorkerKeyStateMessage =
  | { readonly ks: 'subscribe'; readonly id: number }
  | {
      readonly ks: 'apply';
      readonly id: number;
      readonly marks: readonly SharedMark[];
      readonly origin: string;
    }
  | { readonly ks: 'snapshot'; readonly id: number; readonly fingerprints: readonly string[] }
  | {
      readonly ks: 'claim';
      readonly id: number;
      readonly fingerprint: string;
      readonly ttlMs: number;
    };

export type PrimaryKeyStateMessage =
  | { readonly ks: 'reply'; readonly id: number; readonly value: ReplyValue }
  | { readonly ks: 'change'; readonly change: SharedChange };

export type ReplyValue =
  | null
  | boolean
  | { readonly seq: number; readonly records: readonly (readonly [string, SharedRecord])[] };

/** One end of an IPC link: a cluster worker's `process`, or the primary's `Worker`. */
export interface IpcPort {
  send(message: unknown): void;
  /** Every message that arrives; returns a function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** When the link is gone (the other process exited); returns a function that stops listening. */
  onDisconnect(listener: () => void): () => void;
}

export function isKeyStateMessage(message: unknown): message is { readonly ks: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { ks?: unknown }).ks === 'string'
  );
}
