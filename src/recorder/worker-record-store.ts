import { fileURLToPath } from 'node:url';
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
 * The thread's entry module beside this one: compiled JavaScript in dist/. When running from
 * the TypeScript sources (tests, tsx), a worker inherits no loader hooks, and loading the
 * sources through tsx's hooks in the thread took over a second (each of Kysely's modules
 * resolved through them): there the entry is bundled once per process with esbuild (a
 * development dependency, like tsx) and its packages imported by absolute URL.
 */
function startWorker(data: WriterThreadData): Promise<Worker> {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return Promise.resolve(new Worker(new URL('./writer-thread.js', here), { workerData: data }));
  }
  return (sourceBundle ??= bundleFromSources(here)).then(
    (code) =>
      new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
        workerData: data,
      }),
  );
}

let sourceBundle: Promise<string> | undefined;

async function bundleFromSources(here: string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./writer-thread.ts', here))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-by-url',
        setup(plugin) {
          plugin.onResolve({ filter: /^[^./]/ }, (args) => ({
            path: args.path.startsWith('node:') ? args.path : import.meta.resolve(args.path),
            external: true,
          }));
        },
      },
    ],
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no recording thread');
  return output.text;
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

  constructor(worker: Worker) {
    this.worker = worker;
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
  private thread: Promise<WriterThread> | undefined;
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
    const starting = this.thread;
    this.thread = undefined;
    if (starting === undefined) return;
    let thread: WriterThread;
    try {
      thread = await starting;
    } catch {
      return;
    }
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
    const current = this.thread;
    const alive =
      current !== undefined &&
      (await current.then(
        (thread) => !thread.stopped,
        () => false,
      ));
    // Another call may have replaced a dead thread meanwhile.
    if (!alive && this.thread === current) {
      this.thread = startWorker({
        path: this.options.path,
        busyTimeoutMs: this.options.busyTimeoutMs,
      }).then((worker) => new WriterThread(worker));
    }
    const thread = this.thread;
    if (thread === undefined) throw new Error('the recording database is closed');
    return (await thread).send(operation);
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
