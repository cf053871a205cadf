import type { Clock } from './clock.js';
import { maskedHint } from '../log/masked-hint.js';

export type KeyState = 'valid' | 'temporary' | 'permanent';

/** Zero or negative cooldowns come from upstreams that sent nonsense; the contract says 60 s. */
export const DEFAULT_COOLDOWN_MS = 60_000;

/** Why a key changed state, for the log line and the metrics that follow a transition. */
export type TransitionCause =
  | {
      readonly source: 'upstream';
      readonly status: number;
      readonly upstreamRequestId: string | undefined;
      /**
       * The provider's error message, known once the failed body has been read in the
       * background (bounded in bytes and time); undefined if it had none.
       */
      readonly message: Promise<string | undefined>;
    }
  | { readonly source: 'operator' }
  | { readonly source: 'recheck'; readonly status: number }
  /**
   * Another process's mark (or state loaded from the shared key-state store at start or
   * after an outage): already logged by the process that made it.
   */
  | { readonly source: 'shared' };

export interface KeyTransition {
  readonly key: Key;
  readonly to: 'temporary' | 'permanent' | 'valid';
  readonly cooldownMs: number;
  readonly cause: TransitionCause;
}

export type TransitionListener = (transition: KeyTransition) => void;

/**
 * A mark made in this process, whether or not it changed the key's state (a longer cooldown
 * of a key already cooling down changes no state but still counts): what a key-state store
 * shares with other processes. `at` is when it was made (epoch ms).
 */
export type KeyMark =
  | { readonly kind: 'temporary'; readonly until: number; readonly at: number }
  | { readonly kind: 'permanent'; readonly at: number }
  | { readonly kind: 'enable'; readonly at: number };

export type MarkListener = (key: Key, mark: KeyMark) => void;

/** A key's state as the shared store holds it: a key is temporary while `now < until`. */
export interface SharedKeyState {
  readonly permanent: boolean;
  readonly until: number;
}

/**
 * One provider key and its health. State is derived from two fields so that an expired
 * cooldown needs no timer: a key is temporary only while `now < cooldownUntil`.
 */
export class Key {
  readonly hint: string;
  private cooldownUntil = 0;
  private permanent = false;

  constructor(
    readonly index: number,
    readonly secret: string,
    private readonly clock: Clock,
    private readonly onTransition: TransitionListener = () => undefined,
    private readonly onMark: MarkListener = () => undefined,
  ) {
    this.hint = maskedHint(secret);
  }

  state(): KeyState {
    if (this.permanent) return 'permanent';
    return this.clock.now() < this.cooldownUntil ? 'temporary' : 'valid';
  }

  /** 0 unless the key is temporary. */
  cooldownRemainingMs(): number {
    if (this.permanent) return 0;
    return Math.max(0, this.cooldownUntil - this.clock.now());
  }

  /**
   * Returns true only for a real valid→temporary transition. A longer cooldown extends the
   * deadline, a shorter one never shortens it, and a permanent key stays permanent.
   */
  markTemporary(cooldownMs: number, cause: TransitionCause): boolean {
    const effective = cooldownMs > 0 ? cooldownMs : DEFAULT_COOLDOWN_MS;
    const now = this.clock.now();
    if (this.permanent) {
      this.onMark(this, { kind: 'temporary', until: now + effective, at: now });
      return false;
    }
    const wasValid = now >= this.cooldownUntil;
    this.cooldownUntil = Math.max(this.cooldownUntil, now + effective);
    if (wasValid) this.onTransition({ key: this, to: 'temporary', cooldownMs: effective, cause });
    this.onMark(this, { kind: 'temporary', until: now + effective, at: now });
    return wasValid;
  }

  /** Returns true only when the key was not already permanent. */
  markPermanent(cause: TransitionCause): boolean {
    const changed = !this.permanent;
    this.permanent = true;
    if (changed) this.onTransition({ key: this, to: 'permanent', cooldownMs: 0, cause });
    this.onMark(this, { kind: 'permanent', at: this.clock.now() });
    return changed;
  }

  /** Back to valid whatever the state (an operator, or a re-check that found it working). */
  enable(cause: TransitionCause = { source: 'operator' }): boolean {
    const changed = this.state() !== 'valid';
    this.permanent = false;
    this.cooldownUntil = 0;
    if (changed) this.onTransition({ key: this, to: 'valid', cooldownMs: 0, cause });
    this.onMark(this, { kind: 'enable', at: this.clock.now() });
    return changed;
  }

  /**
   * Takes the state the shared store decided (other processes' marks merged with this one's);
   * never told back to the store. Returns true when the state changed.
   */
  adopt(shared: SharedKeyState): boolean {
    const before = this.state();
    this.permanent = shared.permanent;
    this.cooldownUntil = shared.permanent ? 0 : shared.until;
    const after = this.state();
    if (after === before) return false;
    this.onTransition({
      key: this,
      to: after,
      cooldownMs: after === 'temporary' ? this.cooldownRemainingMs() : 0,
      cause: { source: 'shared' },
    });
    return true;
  }
}
