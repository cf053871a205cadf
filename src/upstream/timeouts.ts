export interface UpstreamTimeouts {
  /** TCP + TLS handshake. */
  readonly connectMs: number;
  /** From sending the request to receiving the response headers (a blocking completion can take minutes). */
  readonly firstByteMs: number;
  /** Longest silence between two body chunks, for streams that stall half-way. */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  firstByteMs: 600_000,
  idleMs: 300_000,
};
