import type { Clock } from './clock.js';
import {
  Key,
  type KeyMark,
  type KeyTransition,
  type MarkListener,
  type TransitionListener,
} from './key.js';
import { KeyPoolConfigError, type ExhaustionReason } from './key-pool-error.js';
import { Walker } from './walker.js';

/**
 * Whether this process should probe a disabled key now, for at most `ttlMs`: with several
 * processes sharing key state, one of them probes and the others hear its verdict.
 */
export type RecheckClaim = (key: Key, ttlMs: number) => Promise<boolean>;

/**
 * An ordered set of keys for one provider, shared by every request so that a key cooled
 * down by one request is skipped by the next. Walking it stays synchronous and in memory: a
 * key-state store hears its marks (`onMark`) and brings other processes' marks in
 * (`Key.adopt`).
 */
export class Pool {
  readonly keys: readonly Key[];
  private readonly listeners = new Set<TransitionListener>();
  private readonly markListeners = new Set<MarkListener>();
  private readonly exhaustionListeners = new Set<(reason: ExhaustionReason) => void>();
  private recheckClaim: RecheckClaim = () => Promise.resolve(true);

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
    const marked = (key: Key, mark: KeyMark): void => {
      for (const listener of this.markListeners) listener(key, mark);
    };
    this.keys = secrets.map((secret, index) => new Key(index, secret, clock, notify, marked));
  }

  /** Every state change of every key (logging, re-checks, metrics); returns an unsubscribe. */
  onTransition(listener: TransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every mark made in this process (the key-state store); returns an unsubscribe. */
  onMark(listener: MarkListener): () => void {
    this.markListeners.add(listener);
    return () => this.markListeners.delete(listener);
  }

  /** Every walk that found no usable key and answered so (metrics); returns an unsubscribe. */
  onExhaustion(listener: (reason: ExhaustionReason) => void): () => void {
    this.exhaustionListeners.add(listener);
    return () => this.exhaustionListeners.delete(listener);
  }

  /** Told by the failover loop when a walk ends without a key and the client is told so. */
  exhausted(reason: ExhaustionReason): void {
    for (const listener of this.exhaustionListeners) listener(reason);
  }

  /** Set by a shared key-state store; alone, a process always probes its own keys. */
  coordinateRechecks(claim: RecheckClaim): void {
    this.recheckClaim = claim;
  }

  claimRecheck(key: Key, ttlMs: number): Promise<boolean> {
    return this.recheckClaim(key, ttlMs);
  }

  walker(): Walker {
    return new Walker(this.keys);
  }
}
