import type { Clock } from '../keypool/clock.js';
import {
  CircuitBreaker,
  type Admission,
  type BreakerSettings,
  type BreakerState,
  type BreakerTransition,
} from './circuit-breaker.js';

/** One breaker's state change, with what it guards. */
export interface BreakerEvent extends BreakerTransition {
  readonly provider: string;
  /** The bridged API (anthropic-messages, openai-chat, openai-responses). */
  readonly api: string;
  readonly model: string;
  readonly at: number;
}

/** A request refused by an open (or saturated half-open) breaker, without calling upstream. */
export interface BreakerRejection {
  readonly provider: string;
  readonly api: string;
  readonly model: string;
  readonly state: 'open' | 'half-open';
}

/** One breaker as the admin API or a metrics scrape shows it. */
export interface BreakerSnapshot {
  readonly api: string;
  readonly model: string;
  readonly state: BreakerState;
  /** Consecutive failures counted while closed. */
  readonly failures: number;
  /** 0 unless open. */
  readonly openRemainingMs: number;
}

/**
 * Model names come from clients: breakers are kept only while they hold something (a
 * failure counted, an open state, a call outstanding), and past this many the oldest
 * without a call outstanding are forgotten.
 */
const MAX_BREAKERS = 4096;

/**
 * A provider's circuit breakers, one per API × model, made on first use. A breaker that is
 * closed with nothing counted is dropped, so a provider that is healthy keeps none.
 */
export class ProviderBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly transitionListeners = new Set<(event: BreakerEvent) => void>();
  private readonly rejectionListeners = new Set<(rejection: BreakerRejection) => void>();

  constructor(
    readonly provider: string,
    readonly settings: BreakerSettings,
    private readonly clock: Clock,
  ) {}

  /** Every state change of every breaker (the log, metrics); returns an unsubscribe. */
  onTransition(listener: (event: BreakerEvent) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  /** Every request refused (metrics); returns an unsubscribe. */
  onRejection(listener: (rejection: BreakerRejection) => void): () => void {
    this.rejectionListeners.add(listener);
    return () => this.rejectionListeners.delete(listener);
  }

  /** Lets a call to `api` with `model` through, or refuses it (the caller answers 503). */
  admit(api: string, model: string): Admission {
    const id = `${api}\n${model}`;
    const breaker = this.breakers.get(id) ?? this.add(id, api, model);
    const admission = breaker.admit();
    if (!admission.admitted) {
      const rejection = { provider: this.provider, api, model, state: admission.state };
      for (const listener of this.rejectionListeners) listener(rejection);
      return admission;
    }
    const { pass } = admission;
    return {
      admitted: true,
      pass: {
        trial: pass.trial,
        record: (verdict, cause) => {
          pass.record(verdict, cause);
          if (breaker.idle && this.breakers.get(id) === breaker) this.breakers.delete(id);
        },
      },
    };
  }

  /** Breakers held: those that hold something, and those with a call outstanding. */
  get size(): number {
    return this.breakers.size;
  }

  /** The breakers that hold something: not closed, or closed with failures counted. */
  snapshot(): BreakerSnapshot[] {
    return [...this.breakers].flatMap(([id, breaker]) => {
      if (breaker.state === 'closed' && breaker.failureCount === 0) return [];
      const [api = '', model = ''] = id.split('\n');
      return [
        {
          api,
          model,
          state: breaker.state,
          failures: breaker.failureCount,
          openRemainingMs: breaker.openRemainingMs,
        },
      ];
    });
  }

  /** Stops every breaker's timer (the provider is going away). */
  close(): void {
    for (const breaker of this.breakers.values()) breaker.dispose();
    this.breakers.clear();
  }

  private add(id: string, api: string, model: string): CircuitBreaker {
    if (this.breakers.size >= MAX_BREAKERS) this.forgetOldestIdle();
    const breaker = new CircuitBreaker(this.settings, this.clock, (transition) => {
      const event: BreakerEvent = {
        ...transition,
        provider: this.provider,
        api,
        model,
        at: this.clock.now(),
      };
      for (const listener of this.transitionListeners) listener(event);
    });
    this.breakers.set(id, breaker);
    return breaker;
  }

  private forgetOldestIdle(): void {
    for (const [id, breaker] of this.breakers) {
      // Its outstanding calls hold a reference and would record into a breaker nobody sees.
      if (breaker.outstanding > 0) continue;
      breaker.dispose();
      this.breakers.delete(id);
      return;
    }
  }
}
