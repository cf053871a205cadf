import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { RestartBackoff } from './restart-backoff.js';

describe('RestartBackoff', () => {
  it('doubles the delay while a slot keeps dying young, up to the maximum', () => {
    const clock = new FakeClock();
    const backoff = new RestartBackoff(clock, { minMs: 100, maxMs: 1000, stableMs: 30_000 });
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const startedAt = clock.now();
      clock.advance(50);
      delays.push(backoff.delayAfterExit(1, startedAt));
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('is quick again after a worker ran for the stable time, and slots are separate', () => {
    const clock = new FakeClock();
    const backoff = new RestartBackoff(clock, { minMs: 100, maxMs: 10_000, stableMs: 30_000 });
    expect(backoff.delayAfterExit(1, clock.now())).toBe(100);
    expect(backoff.delayAfterExit(1, clock.now())).toBe(200);
    expect(backoff.delayAfterExit(2, clock.now())).toBe(100);
    const startedAt = clock.now();
    clock.advance(30_000);
    expect(backoff.delayAfterExit(1, startedAt)).toBe(100);
    expect(backoff.delayAfterExit(1, clock.now())).toBe(200);
  });
});
