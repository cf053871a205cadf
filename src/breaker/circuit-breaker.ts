import type { Clock } from '../keypool/clock.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** `circuit_breaker` of a provider. */
export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  readonly failures: number;
  /** How long it stays open before letting trial requests through. */
  readonly openForMs: number;
  /** Trial requests let through while half-open; that many successes in a row close it. */
  readonly halfOpenRequests: number;
}

/**
 * What one upstream call said about the provider. failure: the provider is in trouble (5xx
 * of the kinds that mean it, no answer, a stream that broke). success: it answered. neutral:
 * nothing about the provider (a 429, a client that left, an exhausted key pool).
 */
export type Verdict = 'success' | 'failure' | 'neutral';

export interface BreakerTransition {
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** The failure that opened (or reopened) it, in words safe to log. */
  readonly cause: string | undefined;
  /** Consecutive failures counted when it opened from closed; 1 for a failed trial. */
  readonly failures: number;
  /** When it opened: how long until trial requests are let through. */
  readonly openForMs: number | undefined;
}

/** A call let through: its result must be recorded once, whatever happens to it. */
export interface BreakerPass {
  /** Whether it is one of the half-open state's trial requests. */
  readonly trial: boolean;
  record(verdict: Verdict, cause?: string): void;
}

export type Admission =
  | { readonly admitted: true; readonly pass: BreakerPass }
  | {
      readonly admitted: false;
      readonly state: 'open' | 'half-open';
      /** When to try again, for Retry-After. */
      readonly retryAfterMs: number;
    };

/**
 * While half-open with every trial slot taken, a request is refused without knowing when a
 * slot frees (a trial stream may run for minutes): clients are told to come back soon.
 */
export const HALF_OPEN_RETRY_MS = 1000;

/**
 * One circuit breaker (one provider × API × model). Counts consecutive failures rather than
 * a rate over a rolling window: providers fail in bursts, a window needs a minimum volume
 * before it means anything (and so never trips on a quiet model), and one success in
 * between proves the provider still answers. The reference (gobreaker, as Coder's AI
 * Bridge uses it) does the same.
 *
 * Results are tied to the state they were admitted in (a generation): a call that started
 * before the breaker opened says nothing about the trial that follows, and is ignored.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private generation = 0;
  /** Consecutive failures while closed. */
  private failures = 0;
  private openUntil = 0;
  /** Half-open: trial slots taken (admitted, not neutral) and trials that succeeded. */
  private trials = 0;
  private successes = 0;
  /** Passes admitted and not yet recorded, in every generation. */
  private pending = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly settings: BreakerSettings,
    private readonly clock: Clock,
    private readonly changed: (transition: BreakerTransition) => void,
  ) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Consecutive failures counted so far while closed. */
  get failureCount(): number {
    return this.failures;
  }

  /** How long it still stays open; 0 unless open. */
  get openRemainingMs(): number {
    return this.current === 'open' ? Math.max(0, this.openUntil - this.clock.now()) : 0;
  }

  /** Calls admitted whose result is not recorded yet. */
  get outstanding(): number {
    return this.pending;
  }

  /** Closed, nothing counted and no call outstanding: forgetting it loses nothing. */
  get idle(): boolean {
    return this.current === 'closed' && this.failures === 0 && this.pending === 0;
  }

  /** Lets a call through, or says how long to wait. */
  admit(): Admission {
    if (this.current === 'open') {
      const remaining = this.openUntil - this.clock.now();
      if (remaining > 0) return { admitted: false, state: 'open', retryAfterMs: remaining };
      // The timer is due but has not run yet: the request decides.
      this.halfOpen();
    }
    let trial = false;
    if (this.current === 'half-open') {
      if (this.trials >= this.settings.halfOpenRequests) {
        return { admitted: false, state: 'half-open', retryAfterMs: HALF_OPEN_RETRY_MS };
      }
      this.trials++;
      trial = true;
    }
    this.pending++;
    const generation = this.generation;
    let recorded = false;
    return {
      admitted: true,
      pass: {
        trial,
        record: (verdict, cause) => {
          if (recorded) return;
          recorded = true;
          this.pending--;
          this.record(generation, verdict, cause);
        },
      },
    };
  }

  /** Stops its timer (the provider is going away). */
  dispose(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private record(generation: number, verdict: Verdict, cause: string | undefined): void {
    if (generation !== this.generation) return;
    if (this.current === 'closed') {
      if (verdict === 'success') this.failures = 0;
      else if (verdict === 'failure') {
        this.failures++;
        if (this.failures >= this.settings.failures) this.open(cause, this.failures);
      }
      return;
    }
    // Half-open (an open breaker admits nothing, and opening starts a new generation).
    switch (verdict) {
      case 'failure':
        this.open(cause, 1);
        return;
      case 'success':
        this.successes++;
        if (this.successes >= this.settings.halfOpenRequests) this.close();
        return;
      case 'neutral':
        // Said nothing either way: the slot goes to the next request.
        this.trials--;
        return;
    }
  }

  private open(cause: string | undefined, failures: number): void {
    const from = this.current;
    this.dispose();
    this.enter('open');
    this.openUntil = this.clock.now() + this.settings.openForMs;
    this.cancelTimer = this.clock.schedule(this.settings.openForMs, () => {
      this.cancelTimer = undefined;
      if (this.current === 'open') this.halfOpen();
    });
    this.changed({ from, to: 'open', cause, failures, openForMs: this.settings.openForMs });
  }

  private halfOpen(): void {
    this.dispose();
    this.enter('half-open');
    this.trials = 0;
    this.successes = 0;
    this.changed({
      from: 'open',
      to: 'half-open',
      cause: undefined,
      failures: 0,
      openForMs: undefined,
    });
  }

  private close(): void {
    this.enter('closed');
    this.failures = 0;
    this.changed({
      from: 'half-open',
      to: 'closed',
      cause: undefined,
      failures: 0,
      openForMs: undefined,
    });
  }

  private enter(state: BreakerState): void {
    this.current = state;
    this.generation++;
  }
}
