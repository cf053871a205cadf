import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { Clock } from '../keypool/clock.js';
import {
  CircuitBreaker,
  HALF_OPEN_RETRY_MS,
  type BreakerPass,
  type BreakerTransition,
  type Verdict,
} from './circuit-breaker.js';

const SETTINGS = { failures: 3, openForMs: 30_000, halfOpenRequests: 2 };

function setup(settings = SETTINGS) {
  const clock = new FakeClock();
  const transitions: BreakerTransition[] = [];
  const breaker = new CircuitBreaker(settings, clock, (t) => transitions.push(t));
  const pass = (): BreakerPass => {
    const admission = breaker.admit();
    if (!admission.admitted) throw new Error(`refused while ${admission.state}`);
    return admission.pass;
  };
  const call = (verdict: Verdict, cause?: string): void => {
    pass().record(verdict, cause);
  };
  return { clock, breaker, transitions, pass, call };
}

describe('CircuitBreaker', () => {
  it('opens after the configured number of consecutive failures, saying why', () => {
    const { breaker, transitions, call } = setup();
    call('failure', 'upstream answered 503');
    call('failure', 'upstream answered 503');
    expect(breaker.state).toBe('closed');
    expect(breaker.failureCount).toBe(2);
    call('failure', 'reset: the upstream connection failed');
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual([
      {
        from: 'closed',
        to: 'open',
        cause: 'reset: the upstream connection failed',
        failures: 3,
        openForMs: 30_000,
      },
    ]);
  });

  it('counts consecutive failures: a success in between starts the count again', () => {
    const { breaker, call } = setup();
    call('failure');
    call('failure');
    call('success');
    call('failure');
    call('failure');
    expect(breaker.state).toBe('closed');
    expect(breaker.failureCount).toBe(2);
  });

  it('neutral results neither count nor reset the count', () => {
    const { breaker, call } = setup();
    call('failure');
    call('neutral');
    call('failure');
    call('neutral');
    expect(breaker.failureCount).toBe(2);
    call('failure');
    expect(breaker.state).toBe('open');
  });

  it('while open refuses every request with the time left until half-open', () => {
    const { clock, breaker, call } = setup();
    for (let i = 0; i < 3; i++) call('failure');
    clock.advance(12_345);
    expect(breaker.admit()).toEqual({ admitted: false, state: 'open', retryAfterMs: 17_655 });
    expect(breaker.openRemainingMs).toBe(17_655);
  });

  it('turns half-open when open_for has passed, by its timer', () => {
    const { clock, breaker, transitions, call } = setup();
    for (let i = 0; i < 3; i++) call('failure');
    expect(clock.pending).toEqual([30_000]);
    clock.advance(29_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open']);
    expect(clock.pending).toEqual([]);
  });

  it('half-open lets the configured number of trials through and refuses the rest', () => {
    const { clock, breaker, pass } = setup();
    for (let i = 0; i < 3; i++) pass().record('failure');
    clock.advance(30_000);
    const first = pass();
    const second = pass();
    expect(first.trial && second.trial).toBe(true);
    expect(breaker.admit()).toEqual({
      admitted: false,
      state: 'half-open',
      retryAfterMs: HALF_OPEN_RETRY_MS,
    });
  });

  it('closes once every trial succeeded', () => {
    const { clock, breaker, transitions, pass } = setup();
    for (let i = 0; i < 3; i++) pass().record('failure');
    clock.advance(30_000);
    const trials = [pass(), pass()];
    trials[0]?.record('success');
    expect(breaker.state).toBe('half-open');
    trials[1]?.record('success');
    expect(breaker.state).toBe('closed');
    expect(breaker.failureCount).toBe(0);
    expect(transitions.map((t) => `${t.from}→${t.to}`)).toEqual([
      'closed→open',
      'open→half-open',
      'half-open→closed',
    ]);
    // Closed again: a normal request is not a trial.
    expect(pass().trial).toBe(false);
  });

  it('reopens on a failed trial, for another open_for', () => {
    const { clock, breaker, transitions, pass } = setup();
    for (let i = 0; i < 3; i++) pass().record('failure');
    clock.advance(30_000);
    const trials = [pass(), pass()];
    trials[0]?.record('success');
    trials[1]?.record('failure', 'upstream answered 529');
    expect(breaker.state).toBe('open');
    expect(transitions.at(-1)).toEqual({
      from: 'half-open',
      to: 'open',
      cause: 'upstream answered 529',
      failures: 1,
      openForMs: 30_000,
    });
    expect(breaker.admit()).toMatchObject({ admitted: false, retryAfterMs: 30_000 });
    clock.advance(30_000);
    expect(breaker.state).toBe('half-open');
  });

  it('a neutral trial gives its slot to the next request', () => {
    const { clock, breaker, pass } = setup();
    for (let i = 0; i < 3; i++) pass().record('failure');
    clock.advance(30_000);
    const [a, b] = [pass(), pass()];
    expect(breaker.admit().admitted).toBe(false);
    a.record('neutral');
    const c = pass();
    b.record('success');
    c.record('success');
    expect(breaker.state).toBe('closed');
  });

  it('ignores results of calls admitted before the state changed', () => {
    const { clock, breaker, pass } = setup();
    const early = [pass(), pass()];
    for (let i = 0; i < 3; i++) pass().record('failure');
    expect(breaker.state).toBe('open');
    clock.advance(30_000);
    const trial = pass();
    // Calls from the closed state finishing now say nothing about the trial.
    early[0]?.record('success');
    early[1]?.record('success');
    expect(breaker.state).toBe('half-open');
    trial.record('failure');
    expect(breaker.state).toBe('open');
  });

  it('records a pass once, however often it is told', () => {
    const { breaker, pass } = setup();
    const p = pass();
    p.record('failure');
    p.record('failure');
    p.record('failure');
    expect(breaker.failureCount).toBe(1);
    expect(breaker.outstanding).toBe(0);
  });

  it('a request arriving when open_for is over turns it half-open even before its timer ran', () => {
    // A system clock's timer may run late: this clock's never run at all.
    let now = 0;
    let cancelled = 0;
    const lateClock: Clock = {
      now: () => now,
      schedule: () => () => {
        cancelled++;
      },
    };
    const transitions: BreakerTransition[] = [];
    const breaker = new CircuitBreaker(SETTINGS, lateClock, (t) => transitions.push(t));
    for (let i = 0; i < 3; i++) {
      const admission = breaker.admit();
      if (admission.admitted) admission.pass.record('failure');
    }
    now += 30_000;
    const admission = breaker.admit();
    expect(admission.admitted && admission.pass.trial).toBe(true);
    expect(transitions.map((t) => t.to)).toEqual(['open', 'half-open']);
    expect(cancelled).toBe(1);
  });
});
