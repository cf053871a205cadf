/**
 * Lets an exchange tell whatever upstream call is running for it that the client has gone.
 * Cheaper than an AbortController per request, and the hot path needs no event target.
 */
export class Cancellation {
  private cancelled = false;
  private readonly listeners = new Set<() => void>();

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Calls `listener` once on cancellation (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: () => void): () => void {
    if (this.cancelled) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}
