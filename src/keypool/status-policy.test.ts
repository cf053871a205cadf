import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { Key } from './key.js';
import { applyStatusToKey } from './status-policy.js';

const CAUSE = { source: 'operator' } as const;

describe('status → mark policy', () => {
  it.each([
    { name: 'non-HTTP error', status: undefined, trigger: 'none', state: 'valid' },
    { name: '429', status: 429, trigger: 'temporary', state: 'temporary' },
    { name: '401', status: 401, trigger: 'permanent', state: 'permanent' },
    { name: '403', status: 403, trigger: 'permanent', state: 'permanent' },
    { name: '500', status: 500, trigger: 'none', state: 'valid' },
    { name: '400', status: 400, trigger: 'none', state: 'valid' },
    { name: '200', status: 200, trigger: 'none', state: 'valid' },
  ] as const)('$name → $trigger, key $state', ({ status, trigger, state }) => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    expect(applyStatusToKey(key, status, {}, clock.now(), CAUSE)).toBe(trigger);
    expect(key.state()).toBe(state);
  });

  it('429 cools the key down for as long as the upstream asked', () => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    applyStatusToKey(key, 429, { 'retry-after': '5' }, clock.now(), CAUSE);
    expect(key.cooldownRemainingMs()).toBe(5000);
  });

  it('429 without a hint cools the key down for 60 s', () => {
    const clock = new FakeClock();
    const key = new Key(0, 'k', clock);
    applyStatusToKey(key, 429, {}, clock.now(), CAUSE);
    expect(key.cooldownRemainingMs()).toBe(60_000);
  });
});
