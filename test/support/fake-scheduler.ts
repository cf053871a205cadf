import type { Scheduler } from '../../src/recorder/scheduler.js';
import { FakeClock } from './fake-clock.js';

interface Task {
  readonly at: number;
  readonly run: () => void;
}

/** Timers on a fake clock: tasks run when `advance` moves the clock past them. */
export class FakeScheduler implements Scheduler {
  private tasks = new Set<Task>();

  constructor(readonly clock = new FakeClock()) {}

  after(ms: number, run: () => void): () => void {
    const task = { at: this.clock.now() + ms, run };
    this.tasks.add(task);
    return () => {
      this.tasks.delete(task);
    };
  }

  get pending(): number {
    return this.tasks.size;
  }

  /** Moves the clock by `ms`, running each task that falls due, in time order. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const next = [...this.tasks].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.tasks.delete(next);
      this.clock.advance(Math.max(0, next.at - this.clock.now()));
      next.run();
    }
    this.clock.advance(end - this.clock.now());
  }
}
