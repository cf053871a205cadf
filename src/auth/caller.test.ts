import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { identifyCaller } from './caller.js';
import { GatewayTokens } from './gateway-tokens.js';

const tokens = new GatewayTokens([
  { user: 'alice', token: 'alice-token-123' },
  { user: 'bob', token: 'bob-token-456' },
]);

function status(headers: Record<string, string>, allowByok = true): number {
  try {
    identifyCaller(headers, { tokens, allowByok });
    return 0;
  } catch (error) {
    if (error instanceof GatewayError) return error.status;
    throw error;
  }
}

describe('identifyCaller', () => {
  it.each([
    [{ 'x-api-key': 'alice-token-123' }, 'alice'],
    [{ authorization: 'Bearer bob-token-456' }, 'bob'],
    [{ authorization: 'bearer   bob-token-456' }, 'bob'],
    [{ 'x-api-key': 'alice-token-123', authorization: 'Bearer bob-token-456' }, 'alice'],
  ])('centralized: %j → %s', (headers, user) => {
    expect(identifyCaller(headers, { tokens, allowByok: false })).toEqual({
      user,
      credential: { kind: 'centralized' },
    });
  });

  it('BYOK: the gateway token in X-Switchyard-Token, x-api-key wins over Authorization', () => {
    expect(
      identifyCaller(
        {
          'x-switchyard-token': 'bob-token-456',
          'x-api-key': 'sk-own',
          authorization: 'Bearer sk-other',
        },
        { tokens, allowByok: true },
      ),
    ).toEqual({ user: 'bob', credential: { kind: 'byok', header: 'x-api-key', token: 'sk-own' } });
    expect(
      identifyCaller(
        { 'x-switchyard-token': 'bob-token-456', authorization: 'Bearer sk-oauth' },
        { tokens, allowByok: true },
      ),
    ).toEqual({
      user: 'bob',
      credential: { kind: 'byok', header: 'authorization', token: 'sk-oauth' },
    });
  });

  it.each([
    [{}, 401],
    [{ 'x-api-key': 'nope' }, 401],
    [{ authorization: 'Basic YWxpY2U6eA==' }, 401],
    [{ 'x-switchyard-token': 'nope', 'x-api-key': 'sk-own' }, 401],
    [{ 'x-switchyard-token': 'alice-token-123' }, 401],
  ])('%j → %d', (headers, expected) => {
    expect(status(headers)).toBe(expected);
  });

  it('refuses BYOK with 403 when it is disabled, but checks the token first', () => {
    expect(status({ 'x-switchyard-token': 'alice-token-123', 'x-api-key': 'sk-own' }, false)).toBe(
      403,
    );
    expect(status({ 'x-switchyard-token': 'wrong', 'x-api-key': 'sk-own' }, false)).toBe(401);
  });

  it.each([
    ['x-api-key', { 'x-api-key': 'alice-token-123' }],
    ['x-api-key', { 'x-api-key': 'bob-token-456', authorization: 'Bearer sk-own' }],
    ['Authorization', { authorization: 'Bearer alice-token-123' }],
    ['Authorization', { authorization: 'Bearer bob-token-456' }],
  ])(
    'refuses a gateway token offered as the BYOK credential in %s (the caller’s own or anyone’s)',
    (where, credential) => {
      for (const allowByok of [true, false]) {
        let thrown: unknown;
        try {
          identifyCaller(
            { 'x-switchyard-token': 'alice-token-123', ...credential },
            {
              tokens,
              allowByok,
            },
          );
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(GatewayError);
        const error = thrown as GatewayError;
        expect(error.status).toBe(401);
        expect(error.message).toContain(`credential in ${where} is a gateway token`);
        expect(error.message).not.toMatch(/alice-token-123|bob-token-456/);
      }
    },
  );

  it('a provider key that merely looks like a gateway token is still BYOK', () => {
    expect(
      identifyCaller(
        { 'x-switchyard-token': 'alice-token-123', 'x-api-key': 'alice-token-1234' },
        { tokens, allowByok: true },
      ).credential,
    ).toEqual({ kind: 'byok', header: 'x-api-key', token: 'alice-token-1234' });
  });

  it('error messages never echo what was sent', () => {
    const thrown = (() => {
      try {
        identifyCaller({ 'x-api-key': 'secret-looking-value-999' }, { tokens, allowByok: true });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(String(thrown)).not.toContain('secret-looking-value-999');
  });
});
