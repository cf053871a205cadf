import { describe, expect, it } from 'vitest';
import { ProviderBreakers } from '../breaker/provider-breakers.js';
import { GatewayError } from '../errors/gateway-error.js';
import { KeyPoolError } from '../keypool/key-pool-error.js';
import { UpstreamTransportError } from '../upstream/upstream-error.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { passBreaker, verdictOf } from './circuit-guard.js';
import type { Ending } from './failure-outcome.js';

const ended = (outcome: Ending['outcome'], status: number | undefined): Ending => ({
  outcome,
  status,
  error: undefined,
});

describe('verdictOf', () => {
  it.each([500, 502, 503, 504, 529])('an upstream %i is a failure', (status) => {
    expect(verdictOf(ended('upstream_error', status), undefined)).toEqual({
      verdict: 'failure',
      cause: `upstream answered ${status}`,
    });
  });

  it.each([
    ['a 429', ended('upstream_error', 429)],
    ['another 5xx', ended('upstream_error', 501)],
    ['a client that left', ended('cancelled', undefined)],
    ['a client that left mid-stream', ended('cancelled', 200)],
    ['the shutdown grace running out', ended('shutdown', 503)],
  ])('%s says nothing about the provider', (_name, ending) => {
    expect(verdictOf(ending, undefined).verdict).toBe('neutral');
  });

  it.each([
    ['a complete answer', ended('completed', 200)],
    ['a 400 the provider gave', ended('upstream_error', 400)],
    ['a 404 the provider gave', ended('upstream_error', 404)],
  ])('%s is a success: the provider answered', (_name, ending) => {
    expect(verdictOf(ending, undefined).verdict).toBe('success');
  });

  it('a stream that broke or ended early after it started is a failure', () => {
    expect(verdictOf(ended('failed', 200), undefined)).toEqual({
      verdict: 'failure',
      cause: 'the stream broke after it started',
    });
  });

  it('an error event in place of the rest of a stream is a failure', () => {
    expect(verdictOf(ended('upstream_error', 200), undefined).verdict).toBe('failure');
  });

  it.each([
    ['unreachable', 'the upstream is unreachable'],
    ['reset', 'the upstream connection failed'],
    ['timeout', 'the upstream did not answer in time'],
    ['idle-timeout', 'the upstream stopped sending data'],
  ] as const)('a transport failure (%s) is a failure', (failure, message) => {
    const thrown = new UpstreamTransportError(failure, message);
    expect(verdictOf(ended('failed', 502), thrown)).toEqual({
      verdict: 'failure',
      cause: `${failure}: ${message}`,
    });
  });

  it.each([
    ['a cancelled call', new UpstreamTransportError('aborted', 'request aborted')],
    ['an exhausted key pool (429)', new KeyPoolError('rate-limited', 1000)],
    ['an exhausted key pool (502)', new KeyPoolError('permanent', 0)],
    ['an error the gateway made', new GatewayError(502, 'api_error', 'no JSON')],
  ])('%s says nothing about the provider', (_name, thrown) => {
    expect(verdictOf(ended('failed', 502), thrown).verdict).toBe('neutral');
  });
});

describe('passBreaker', () => {
  it('passes everything without a breaker', () => {
    expect(passBreaker(undefined, 'openai-chat', 'gpt-x')).toBeUndefined();
  });

  it('refuses with a 503 and Retry-After in whole seconds, rounded up', () => {
    const clock = new FakeClock();
    const breakers = new ProviderBreakers(
      'openai',
      { failures: 1, openForMs: 30_000, halfOpenRequests: 1 },
      clock,
    );
    passBreaker(breakers, 'openai-chat', 'gpt-x')?.record('failure');
    clock.advance(10_500);
    let refused: unknown;
    try {
      passBreaker(breakers, 'openai-chat', 'gpt-x');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GatewayError);
    const error = refused as GatewayError;
    expect(error.status).toBe(503);
    expect(error.kind).toBe('unavailable');
    expect(error.headers).toEqual({ 'retry-after': '20' });
    expect(error.message).toContain('circuit breaker open');
  });
});
