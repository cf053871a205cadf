import { performance } from 'node:perf_hooks';

/**
 * Wall-clock milliseconds with sub-millisecond precision, comparable across processes on
 * the same machine: each process anchors its monotonic clock to the wall clock at start
 * (`performance.timeOrigin`), so a timestamp taken in the mock can be subtracted from one
 * taken in the probe. `process.hrtime` cannot do this: its origin is per process.
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
