/**
 * Why an upstream call is being abandoned: the client went away, the gateway is shutting
 * down and its grace is over, or the gateway's own deadline for the call (a key probe) passed.
 */
export type CancelReason = 'client' | 'shutdown' | 'deadline';

const MESSAGES: Record<CancelReason, string> = {
  client: 'client disconnected',
  shutdown: 'the gateway is shutting down',
  deadline: 'the gateway stopped waiting for the upstream',
};

/**
 * Lets an exchange tell whatever upstream call is running for it that it is no longer
 * wanted. Cheaper than an AbortController per request, and the hot path needs no event target.
 */
export class Cancellation {
  private why: CancelReason | undefined;
  private readonly listeners = new Set<() => void>();

  get isCancelled(): boolean {
    return this.why !== undefined;
  }

  get reason(): CancelReason | undefined {
    return this.why;
  }

  /** Why it was cancelled, in words for an error message; undefined if it was not. */
  get message(): string | undefined {
    return this.why === undefined ? undefined : MESSAGES[this.why];
  }

  /** Calls `listener` once on cancellation (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: () => void): () => void {
    if (this.why !== undefined) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first reason wins: a client that left before the shutdown is still a client that left. */
  cancel(reason: CancelReason): void {
    if (this.why !== undefined) return;
    this.why = reason;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}
