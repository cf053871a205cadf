export interface OpenOptions {
  /** An idle PostgreSQL connection broke; pg reports it here instead of to a query. */
  readonly onConnectionError?: (error: Error) => void;
}
