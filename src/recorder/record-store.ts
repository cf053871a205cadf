import type { Interception } from './interception.js';

/** The recorder's port to a database: where queued interceptions are written. */
export interface RecordStore {
  /**
   * Writes the batch all or nothing; interceptions already stored are skipped, so a batch
   * may be retried. Throws RejectedRecordsError when the database refuses the data itself.
   */
  write(batch: readonly Interception[]): Promise<void>;
  /** Connects (and migrates) if not yet done; throws if that fails. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** The database refused these records' data: writing them again would fail again. */
export class RejectedRecordsError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RejectedRecordsError';
  }
}
