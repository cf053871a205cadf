import type { Clock } from '../../keypool/clock.js';

export interface RestartBackoffOptions {
  /** The first restart's delay; each failure in a row doubles it. */
  readonly minMs?: number;
  readonly maxMs?: number;
  /** A worker that ran this long was healthy: its slot's next restart is quick again. */
  readonly stableMs?: number;
}

/**
 * How long the primary waits before replacing a worker that died: at once the first time,
 * longer each time a slot's worker dies again soon after starting (a crash loop must not
 * burn the CPU the other workers are serving with), quick again once one ran a while.
 */
export class RestartBackoff {
  private readonly failures = new Map<number, number>();
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly stableMs: number;

  constructor(
    private readonly clock: Clock,
    options: RestartBackoffOptions = {},
  ) {
    this.minMs = options.minMs ?? 100;
    this.maxMs = options.maxMs ?? 10_000;
    this.stableMs = options.stableMs ?? 30_000;
  }

  /** The slot's worker, started at `startedAt` (epoch ms), has exited: the delay before the next. */
  delayAfterExit(slot: number, startedAt: number): number {
    const ran = this.clock.now() - startedAt;
    const failures = ran >= this.stableMs ? 0 : (this.failures.get(slot) ?? 0);
    this.failures.set(slot, failures + 1);
    return Math.min(this.minMs * 2 ** failures, this.maxMs);
  }
}
