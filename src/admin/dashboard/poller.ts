/**
 * Runs a task now and then every `intervalMs` after it finished, so a slow answer never
 * stacks requests; stop() ends it, `now()` runs it at once (after a click).
 */
export class Poller {
  private timer: number | undefined;
  private running = false;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  start(): void {
    this.stopped = false;
    void this.now();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }

  private active(): boolean {
    return !this.stopped;
  }

  async now(): Promise<void> {
    if (this.stopped || this.running) return;
    window.clearTimeout(this.timer);
    this.running = true;
    try {
      await this.task();
    } finally {
      this.running = false;
      // stop() may have been called while the task ran.
      if (this.active()) {
        this.timer = window.setTimeout(() => void this.now(), this.intervalMs);
      }
    }
  }
}
