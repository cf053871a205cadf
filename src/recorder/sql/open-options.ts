export interface OpenOptions {
  /** An idle PostgreSQL connection broke; pg reports it here instead of to a query. */
  readonly onConnectionError?: (error: Error) => void;
  /** How long a SQLite statement waits for another process's lock (default 100 ms). */
  readonly sqliteBusyTimeoutMs?: number;
}
