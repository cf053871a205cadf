/** One request sent upstream with one key, as the record and the log line show it. */
export interface UpstreamAttempt {
  /** Masked hint of the key used, never the key. */
  readonly keyHint: string;
  /** Position in the provider's pool; undefined for a caller's own key (BYOK). */
  readonly keyIndex: number | undefined;
  /** Undefined when no answer came (transport error, hang-up). */
  readonly status: number | undefined;
  /** From sending the request to the answer's head, or to the failure. */
  readonly latencyMs: number;
  /** Whether the gateway moved on to another key after this attempt. */
  readonly failedOver: boolean;
  /** The provider's own id for the request (`request-id`, `x-request-id`), for support tickets. */
  readonly upstreamRequestId: string | undefined;
  /** What went wrong with the attempt, in words safe to log. */
  readonly error: string | undefined;
}
