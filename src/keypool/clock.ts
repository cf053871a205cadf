/** Milliseconds since the epoch. Injected everywhere time matters so cooldown tests run on a fake clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
