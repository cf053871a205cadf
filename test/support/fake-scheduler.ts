import type { Scheduler } from '../../src/mcp/scheduler.js';
import { FakeClock } from './fake-clock.js';

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** A scheduler whose time moves only when a test says so; due tasks run in time order. */
export class FakeScheduler extends FakeClock implements Scheduler {
  private tasks: Task[] = [];
  private seq = 0;

  schedule(delayMs: number, run: () => void): () => void {
    const task = { at: this.now() + delayMs, seq: this.seq++, run };
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }

  /** Delays of the tasks waiting, from now, soonest first. */
  pendingDelays(): number[] {
    return this.tasks.map((t) => t.at - this.now()).sort((a, b) => a - b);
  }

  override advance(ms: number): void {
    const until = this.now() + ms;
    for (;;) {
      const due = this.tasks
        .filter((t) => t.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      super.advance(due.at - this.now());
      due.run();
    }
    super.advance(until - this.now());
  }
}
