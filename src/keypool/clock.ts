/**
 * Time, injected everywhere it matters so that cooldown, re-check and timeout tests run on a
 * fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `fn` once after `ms`; the returned function cancels it. Timers never keep the
   * process alive: they guard or retry work, and none of them is a reason to stay up.
   */
  schedule(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
};
