import type { Clock } from './clock.js';
import { Key, type KeyTransition, type TransitionListener } from './key.js';
import { KeyPoolConfigError } from './key-pool-error.js';
import { Walker } from './walker.js';

/**
 * An ordered set of keys for one provider, shared by every request so that a key cooled
 * down by one request is skipped by the next.
 */
export class Pool {
  readonly keys: readonly Key[];
  private readonly listeners = new Set<TransitionListener>();

  constructor(secrets: readonly string[], clock: Clock) {
    if (secrets.length === 0) throw new KeyPoolConfigError('no keys');
    const seen = new Map<string, number>();
    secrets.forEach((secret, index) => {
      if (secret === '') throw new KeyPoolConfigError('empty key', [index]);
      const earlier = seen.get(secret);
      if (earlier !== undefined) throw new KeyPoolConfigError('duplicate key', [earlier, index]);
      seen.set(secret, index);
    });
    const notify = (transition: KeyTransition): void => {
      for (const listener of this.listeners) listener(transition);
    };
    this.keys = secrets.map((secret, index) => new Key(index, secret, clock, notify));
  }

  /** Every state change of every key (logging, re-checks, metrics); returns an unsubscribe. */
  onTransition(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  walker(): Walker {
    return new Walker(this.keys);
  }
}
