import { Worker } from 'node:worker_threads';
import type { Interception } from './interception.js';
import { RejectedRecordsError, type RecordStore } from './record-store.js';
import type {
  WriterOperation,
  WriterReply,
  WriterRequest,
  WriterThreadData,
} from './writer-thread-protocol.js';

export interface WorkerRecordStoreOptions {
  readonly path: string;
  readonly busyTimeoutMs?: number;
  /**
   * Runs once before the thread first opens the file: the main thread's own connection
   * migrates the schema, so two connections never race to migrate it.
   */
  readonly prepare?: () => Promise<void>;
}

/** A database error as the recording thread reported it, with the driver's code. */
class ThreadDatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DatabaseError';
  }
}

/**
 * The thread's entry module beside this one: compiled JavaScript in dist/, or, when running
 * from the TypeScript sources (tests, tsx), the .ts file loaded through tsx's hooks, which
 * a worker thread does not inherit from its parent.
 */
function startWorker(data: WriterThreadData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL('./writer-thread.js', here), { workerData: data });
  }
  const entry = new URL('./writer-thread.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), {
    workerData: data,
  });
}

/** One recording thread and the replies it owes. */
class WriterThread {
  private readonly pending = new Map<
    number,
    { resolve: () => void; reject: (error: Error) => void }
  >();
  private nextId = 0;
  private readonly worker: Worker;
  stopped = false;

  constructor(data: WriterThreadData) {
    this.worker = startWorker(data);
    // The recorder's drain, not this thread, decides how long shutdown waits.
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => {
      const pending = this.pending.get(reply.id);
      if (pending === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) pending.resolve();
      else if (reply.rejected) pending.reject(new RejectedRecordsError(reply.message));
      else pending.reject(new ThreadDatabaseError(reply.message, reply.code));
    });
    this.worker.on('error', (error) => {
      this.stop(error);
    });
    this.worker.on('exit', (code) => {
      this.stop(new Error(`the recording thread stopped (exit code ${code})`));
    });
  }

  send(operation: WriterOperation): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the recording thread stopped'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ ...operation, id } satisfies WriterRequest);
      } catch (error) {
        // A record that cannot be copied to the thread would fail the same way again.
        this.pending.delete(id);
        reject(new RejectedRecordsError(error instanceof Error ? error.message : String(error)));
      }
    });
  }

  async terminate(): Promise<void> {
    this.stopped = true;
    await this.worker.terminate();
  }

  private stop(error: Error): void {
    this.stopped = true;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of waiting) reject(error);
  }
}

/**
 * The RecordStore for SQLite: the writes (row building, INSERTs, the transaction) run on a
 * worker thread, so the thread serving requests only hands batches over (a structured
 * copy). The thread starts on first use and again after it dies; what it was doing then
 * fails and is retried by the recorder like any failed write.
 */
export class WorkerRecordStore implements RecordStore {
  private thread: WriterThread | undefined;
  private prepared: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: WorkerRecordStoreOptions) {}

  write(batch: readonly Interception[]): Promise<void> {
    return this.call({ op: 'write', batch });
  }

  connect(): Promise<void> {
    return this.call({ op: 'connect' });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = undefined;
    if (thread === undefined) return;
    try {
      await thread.send({ op: 'close' });
    } catch {
      // Closing a connection that is already broken: the thread ends anyway.
    }
    await thread.terminate();
  }

  private async call(operation: WriterOperation): Promise<void> {
    if (this.closed) throw new Error('the recording database is closed');
    await this.prepare();
    if (this.thread === undefined || this.thread.stopped) {
      this.thread = new WriterThread({
        path: this.options.path,
        busyTimeoutMs: this.options.busyTimeoutMs,
      });
    }
    return this.thread.send(operation);
  }

  private async prepare(): Promise<void> {
    const prepare = this.options.prepare;
    if (prepare === undefined) return;
    try {
      await (this.prepared ??= prepare());
    } catch (error) {
      this.prepared = undefined;
      throw error;
    }
  }
}
