import type { Interception } from './interception.js';

/** What the recording thread is started with: the SQLite file it writes into. */
export interface WriterThreadData {
  readonly path: string;
  readonly busyTimeoutMs: number | undefined;
}

export type WriterOperation =
  | { readonly op: 'write'; readonly batch: readonly Interception[] }
  | { readonly op: 'connect' }
  | { readonly op: 'close' };

/** The main thread's requests, answered in order, one reply each. */
export type WriterRequest = WriterOperation & { readonly id: number };

/**
 * A failure crosses the thread boundary as data: `rejected` when the database refused the
 * records themselves; otherwise the error's message and code, so that the main thread
 * describes it exactly as it would have described the error itself.
 */
export type WriterReply =
  | { readonly id: number; readonly ok: true }
  | {
      readonly id: number;
      readonly ok: false;
      readonly rejected: boolean;
      readonly message: string;
      readonly code: string | undefined;
    };
