import type { Key } from './key.js';
import { KeyPoolError } from './key-pool-error.js';

/**
 * One upstream call's pass over the pool: from the first key, skipping keys that are not
 * valid at the moment they are reached. A walker is never reused across calls.
 */
export class Walker {
  private position = 0;

  constructor(private readonly keys: readonly Key[]) {}

  /** The next usable key; throws KeyPoolError once every key has been passed. */
  next(): Key {
    while (this.position < this.keys.length) {
      const key = this.keys[this.position++];
      if (key !== undefined && key.state() === 'valid') return key;
    }
    throw exhaustion(this.keys);
  }
}

/**
 * Permanent only if every key is permanent; otherwise rate-limited with the smallest
 * remaining cooldown among keys that are temporary right now (0 if none is).
 */
export function exhaustion(keys: readonly Key[]): KeyPoolError {
  let allPermanent = true;
  let smallest = Infinity;
  for (const key of keys) {
    const state = key.state();
    if (state !== 'permanent') allPermanent = false;
    if (state === 'temporary') smallest = Math.min(smallest, key.cooldownRemainingMs());
  }
  if (allPermanent) return new KeyPoolError('permanent', 0);
  return new KeyPoolError('rate-limited', smallest === Infinity ? 0 : smallest);
}
