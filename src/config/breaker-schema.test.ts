import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load.js';

const provider = { name: 'anthropic', type: 'anthropic', keys: ['sk-key-a'] };

function withBreaker(circuitBreaker: unknown, env: NodeJS.ProcessEnv = {}) {
  return parseConfig({ providers: [{ ...provider, circuit_breaker: circuitBreaker }] }, env, 'test')
    .providers[0]?.circuitBreaker;
}

function error(circuitBreaker: unknown): string {
  try {
    withBreaker(circuitBreaker);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('circuit_breaker', () => {
  it('is off unless configured', () => {
    expect(parseConfig({ providers: [provider] }, {}, 'test').providers[0]?.circuitBreaker).toBe(
      undefined,
    );
  });

  it('reads the contract example', () => {
    expect(withBreaker({ failures: 5, open_for: '30s', half_open_requests: 3 })).toEqual({
      failures: 5,
      openForMs: 30_000,
      halfOpenRequests: 3,
    });
  });

  it('fills what is left out with the defaults (5 failures, 30s, 3 trials)', () => {
    expect(withBreaker({})).toEqual({ failures: 5, openForMs: 30_000, halfOpenRequests: 3 });
    expect(withBreaker({ open_for: '2m' })).toEqual({
      failures: 5,
      openForMs: 120_000,
      halfOpenRequests: 3,
    });
  });

  it('reads values that came from ${VAR}', () => {
    expect(
      withBreaker(
        { failures: '${FAILS}', open_for: '${OPEN}', half_open_requests: '${TRIALS}' },
        { FAILS: '2', OPEN: '45', TRIALS: '1' },
      ),
    ).toEqual({ failures: 2, openForMs: 45_000, halfOpenRequests: 1 });
  });

  it.each([
    [
      { failures: 0 },
      'provider "anthropic" (providers[0]): circuit_breaker.failures: must be at least 1',
    ],
    [
      { failures: 2.5 },
      'provider "anthropic" (providers[0]): circuit_breaker.failures: expected a whole number',
    ],
    [
      { half_open_requests: 0 },
      'provider "anthropic" (providers[0]): circuit_breaker.half_open_requests: must be at least 1',
    ],
    [
      { open_for: 0 },
      'provider "anthropic" (providers[0]): circuit_breaker.open_for: must be longer than 0 (e.g. 30s): an open breaker must stay open',
    ],
    [
      { open_for: 'soon' },
      'provider "anthropic" (providers[0]): circuit_breaker.open_for: expected a duration such as 500ms, 30s or 10m',
    ],
    [
      { failure: 5 },
      'provider "anthropic" (providers[0]): circuit_breaker: unknown field "failure" (known: failures, open_for, half_open_requests)',
    ],
    [
      true,
      'provider "anthropic" (providers[0]): circuit_breaker: expected a mapping such as { failures: 5, open_for: 30s, half_open_requests: 3 } (each field optional)',
    ],
  ])('explains %j', (value, message) => {
    expect(error(value)).toBe(message);
  });
});
