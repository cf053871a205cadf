import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { classifyTransportError } from './upstream-error.js';

function withCode(code: string): Error {
  return Object.assign(new Error(code), { code });
}

describe('classifyTransportError', () => {
  it.each([
    ['a connect timeout', new errors.ConnectTimeoutError(), 'unreachable'],
    ['a refused connection', withCode('ECONNREFUSED'), 'unreachable'],
    ['an unknown host', withCode('ENOTFOUND'), 'unreachable'],
    ['a silent upstream', new errors.HeadersTimeoutError(), 'timeout'],
    ['a stalled body', new errors.BodyTimeoutError(), 'idle-timeout'],
    ['a reset', withCode('ECONNRESET'), 'reset'],
    ['a closed socket', new errors.SocketError('other side closed'), 'reset'],
    ['an abort', new errors.RequestAbortedError(), 'aborted'],
    [
      'a code on the cause',
      new Error('fetch failed', { cause: withCode('EHOSTUNREACH') }),
      'unreachable',
    ],
  ])('%s → %s', (_name, error, failure) => {
    expect(classifyTransportError(error).failure).toBe(failure);
  });
});
