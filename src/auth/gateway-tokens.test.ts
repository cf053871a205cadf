import { describe, expect, it } from 'vitest';
import { GatewayTokens, tokenDigest } from './gateway-tokens.js';

const hashOf = (token: string): string => tokenDigest(token).toString('hex');

describe('GatewayTokens with issued tokens', () => {
  it('identifies configured and issued tokens alike', () => {
    const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token-1' }]);
    expect(
      tokens.addIssued({ id: 'tok_1', user: 'bob', tokenHash: hashOf('issued-token-1') }),
    ).toBe(true);
    expect(tokens.identify('configured-token-1')).toBe('alice');
    expect(tokens.identify('issued-token-1')).toBe('bob');
    expect(tokens.identify('issued-token-2')).toBeUndefined();
  });

  it('revoking an issued token refuses it at once; configured tokens stay', () => {
    const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token-1' }]);
    tokens.addIssued({ id: 'tok_1', user: 'bob', tokenHash: hashOf('issued-token-1') });
    tokens.removeIssued('tok_1');
    expect(tokens.identify('issued-token-1')).toBeUndefined();
    tokens.removeIssued('tok_unknown');
    expect(tokens.identify('configured-token-1')).toBe('alice');
  });

  it('replaceIssued makes the issued set exactly the list given', () => {
    const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token-1' }]);
    tokens.replaceIssued([
      { id: 'tok_1', user: 'bob', tokenHash: hashOf('one') },
      { id: 'tok_2', user: 'carol', tokenHash: hashOf('two') },
    ]);
    expect(tokens.size).toBe(3);
    tokens.replaceIssued([
      { id: 'tok_2', user: 'carol', tokenHash: hashOf('two') },
      { id: 'tok_3', user: 'dave', tokenHash: hashOf('three') },
    ]);
    expect(tokens.identify('one')).toBeUndefined();
    expect(tokens.identify('two')).toBe('carol');
    expect(tokens.identify('three')).toBe('dave');
    expect(tokens.identify('configured-token-1')).toBe('alice');
    expect(tokens.size).toBe(3);
  });

  it('a malformed hash or one equal to a configured token is not taken', () => {
    const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token-1' }]);
    expect(tokens.addIssued({ id: 'tok_x', user: 'x', tokenHash: 'not-hex' })).toBe(false);
    expect(
      tokens.addIssued({ id: 'tok_y', user: 'mallory', tokenHash: hashOf('configured-token-1') }),
    ).toBe(false);
    expect(tokens.identify('configured-token-1')).toBe('alice');
    tokens.replaceIssued([]);
    expect(tokens.identify('configured-token-1')).toBe('alice');
  });

  it('collects which issued tokens were used, once each, and only issued ones', () => {
    const tokens = new GatewayTokens([{ user: 'alice', token: 'configured-token-1' }]);
    tokens.addIssued({ id: 'tok_1', user: 'bob', tokenHash: hashOf('one') });
    tokens.addIssued({ id: 'tok_2', user: 'carol', tokenHash: hashOf('two') });
    expect(tokens.takeUsed()).toEqual([]);
    tokens.identify('one');
    tokens.identify('one');
    tokens.identify('configured-token-1');
    tokens.identify('nope');
    expect(tokens.takeUsed()).toEqual(['tok_1']);
    expect(tokens.takeUsed()).toEqual([]);
  });
});
