import type { Clock } from '../../src/keypool/clock.js';

interface Timer {
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A clock that moves only when told to, running the timers that fall due on the way. */
export class FakeClock implements Clock {
  private readonly timers = new Set<Timer>();
  private seq = 0;

  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Timers still waiting, soonest first: what a test expects to happen next. */
  get pending(): readonly number[] {
    return [...this.timers].map((t) => t.due - this.current).sort((a, b) => a - b);
  }

  /** Moves time forward, firing each timer at its own due time, in order. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.due > end) continue;
        if (
          next === undefined ||
          timer.due < next.due ||
          (timer.due === next.due && timer.seq < next.seq)
        )
          next = timer;
      }
      if (next === undefined) break;
      this.timers.delete(next);
      this.current = Math.max(this.current, next.due);
      next.fn();
    }
    this.current = end;
  }
}
