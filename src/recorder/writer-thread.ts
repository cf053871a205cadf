/**
 * The recording thread: a SqlRecordStore over the SQLite file, serving the main thread's
 * writes. better-sqlite3 runs every statement synchronously on its caller's thread; here
 * that thread is not the one serving requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RejectedRecordsError } from './record-store.js';
import { SqlRecordStore } from './sql/sql-record-store.js';
import type { WriterReply, WriterRequest, WriterThreadData } from './writer-thread-protocol.js';

const port = parentPort;
if (port === null) throw new Error('writer-thread.js runs as a worker thread only');
const data = workerData as WriterThreadData;
const store = new SqlRecordStore(
  { engine: 'sqlite', path: data.path },
  data.busyTimeoutMs === undefined ? {} : { sqliteBusyTimeoutMs: data.busyTimeoutMs },
);

function perform(request: WriterRequest): Promise<void> {
  switch (request.op) {
    case 'write':
      return store.write(request.batch);
    case 'connect':
      return store.connect();
    case 'close':
      return store.close();
  }
}

function failure(id: number, error: unknown): WriterReply {
  if (error instanceof RejectedRecordsError) {
    return { id, ok: false, rejected: true, message: error.reason, code: undefined };
  }
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return { id, ok: false, rejected: false, message, code };
}

// One request at a time, in the order sent: a write is never overtaken by the next.
let queue = Promise.resolve();
port.on('message', (request: WriterRequest) => {
  queue = queue.then(async () => {
    let reply: WriterReply;
    try {
      await perform(request);
      reply = { id: request.id, ok: true };
    } catch (error) {
      reply = failure(request.id, error);
    }
    port.postMessage(reply);
  });
});
