import type { Clock } from '../keypool/clock.js';

/**
 * A clock that can also run something later: reconnection backoff and call timeouts are
 * scheduled through it, so tests drive them with a fake one instead of sleeping.
 */
export interface Scheduler extends Clock {
  /** Runs `task` after `delayMs`; the returned function cancels it. Never keeps the process alive. */
  schedule(delayMs: number, task: () => void): () => void;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, task) {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};
