import { describeDatabaseTarget, type DatabaseTarget } from '../config/database-target.js';
import type { RecordingSettings } from '../config/load.js';
import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../log/logger.js';
import type { InterceptionSink } from './interception.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import type { RecorderStatus } from './recorder-status.js';
import { RetentionSweeper } from './retention.js';
import type { SqlRecordStore } from './sql/sql-record-store.js';

/**
 * The `database` check of /readyz, which answers without authentication: the engine, not
 * where it is (the log says that).
 */
export type DatabaseCheck =
  | { readonly state: 'ok'; readonly engine: 'off' }
  | {
      readonly state: RecorderStatus['state'];
      readonly engine: 'sqlite' | 'postgres';
      readonly queued: number;
      readonly capacity: number;
      readonly recorded: number;
      readonly dropped: number;
      readonly rejected: number;
      readonly failed_writes: number;
      readonly last_error: string | null;
      readonly last_error_at: string | null;
    };

/** Recording as the gateway sees it: a sink, a status, and a close for shutdown. */
export interface Recording {
  /** Undefined when `database: off`: interceptions then go to the log only. */
  readonly sink: InterceptionSink | undefined;
  /** The database, for the admin API and issued tokens; undefined when `database: off`. */
  readonly database: SqlRecordStore | undefined;
  status(): DatabaseCheck;
  /** Stops retention, writes what is queued (for at most `timeoutMs`) and disconnects. */
  close(timeoutMs: number): Promise<void>;
}

export interface RecordingDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Queue and retry tuning (tests, benchmarks). */
  readonly tuning?: Pick<
    RecorderOptions,
    'capacity' | 'batchSize' | 'retryMinMs' | 'retryMaxMs' | 'lingerMs'
  >;
  /** Told of every batch write (tracing). */
  readonly onWrite?: RecorderOptions['onWrite'];
}

export function databaseCheck(
  engine: 'sqlite' | 'postgres',
  status: RecorderStatus,
): DatabaseCheck {
  return {
    state: status.state,
    engine,
    queued: status.queued,
    capacity: status.capacity,
    recorded: status.recorded,
    dropped: status.dropped,
    rejected: status.rejected,
    failed_writes: status.failedWrites,
    last_error: status.lastError ?? null,
    last_error_at:
      status.lastErrorAt === undefined ? null : new Date(status.lastErrorAt).toISOString(),
  };
}

/**
 * How long a SQLite batch waits for more. Each commit appends every page it touched to the
 * WAL (the tail page of each index among them), so fewer, larger commits write fewer pages
 * per interception: at 1,000 interceptions/s the recording thread's CPU per interception
 * was ~45 µs with 50 ms and ~30 µs with 200 ms (BENCHMARKS.md, "Feature cost"). A record
 * shows in the admin API that much later; a full batch, a drain or an outage writes at once.
 */
export const SQLITE_LINGER_MS = 200;

/**
 * Wires the recorder and retention for the configured database and starts both. The SQL
 * layer is loaded only when something is recorded.
 */
export async function startRecording(
  config: { readonly database: DatabaseTarget; readonly recording: RecordingSettings },
  deps: RecordingDeps,
): Promise<Recording> {
  const target = config.database;
  if (target.engine === 'off') {
    return {
      sink: undefined,
      database: undefined,
      status: () => ({ state: 'ok', engine: 'off' }),
      close: () => Promise.resolve(),
    };
  }
  const database = describeDatabaseTarget(target);
  const { SqlRecordStore } = await import('./sql/sql-record-store.js');
  const store = new SqlRecordStore(target, {
    onConnectionError: (error) => {
      deps.logger.debug({ error: error.message, database }, 'recorder: database connection lost');
    },
  });
  // SQLite writes run on a thread of their own (better-sqlite3 is synchronous); PostgreSQL's
  // driver is asynchronous already, so its writes stay here.
  const writes =
    target.engine === 'sqlite'
      ? new (await import('./worker-record-store.js')).WorkerRecordStore({
          path: target.path,
          prepare: () => store.connect(),
        })
      : store;
  const recorder = new Recorder({
    // A SQLite commit costs as much as a few hundred rows; under load, the linger gathers them.
    ...(target.engine === 'sqlite' ? { lingerMs: SQLITE_LINGER_MS } : {}),
    ...deps.tuning,
    ...(deps.onWrite === undefined ? {} : { onWrite: deps.onWrite }),
    store: writes,
    database,
    logger: deps.logger,
    clock: deps.clock,
    keep: { prompts: config.recording.prompts, thoughts: config.recording.thoughts },
  });
  const retention = new RetentionSweeper({
    deleteStartedBefore: (cutoff, limit) => store.use((s) => s.deleteStartedBefore(cutoff, limit)),
    retentionMs: config.recording.retentionMs,
    clock: deps.clock,
    logger: deps.logger,
  });
  recorder.start();
  retention.start();
  return {
    sink: recorder,
    database: store,
    status: () => databaseCheck(target.engine, recorder.status()),
    async close(timeoutMs) {
      await retention.stop();
      await recorder.drain(timeoutMs);
      // The recorder closed its store; the one for reads and retention is left.
      if (writes !== store) await store.close();
    },
  };
}
