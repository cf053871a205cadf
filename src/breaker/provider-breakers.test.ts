import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { ProviderBreakers, type BreakerEvent, type BreakerRejection } from './provider-breakers.js';

const SETTINGS = { failures: 2, openForMs: 10_000, halfOpenRequests: 1 };

function setup() {
  const clock = new FakeClock();
  const breakers = new ProviderBreakers('anthropic', SETTINGS, clock);
  const events: BreakerEvent[] = [];
  const rejections: BreakerRejection[] = [];
  breakers.onTransition((e) => events.push(e));
  breakers.onRejection((r) => rejections.push(r));
  const fail = (api: string, model: string): void => {
    const admission = breakers.admit(api, model);
    if (!admission.admitted) throw new Error('refused');
    admission.pass.record('failure', 'upstream answered 500');
  };
  return { clock, breakers, events, rejections, fail };
}

describe('ProviderBreakers', () => {
  it('keeps one breaker per API × model', () => {
    const { breakers, fail } = setup();
    fail('anthropic-messages', 'claude-a');
    fail('anthropic-messages', 'claude-a');
    expect(breakers.admit('anthropic-messages', 'claude-a').admitted).toBe(false);
    expect(breakers.admit('anthropic-messages', 'claude-b').admitted).toBe(true);
    expect(breakers.admit('openai-chat', 'claude-a').admitted).toBe(true);
  });

  it('tells listeners which breaker changed and when, and every refusal', () => {
    const { clock, breakers, events, rejections, fail } = setup();
    fail('openai-chat', 'gpt-x');
    fail('openai-chat', 'gpt-x');
    breakers.admit('openai-chat', 'gpt-x');
    expect(events).toEqual([
      {
        provider: 'anthropic',
        api: 'openai-chat',
        model: 'gpt-x',
        from: 'closed',
        to: 'open',
        cause: 'upstream answered 500',
        failures: 2,
        openForMs: 10_000,
        at: clock.now(),
      },
    ]);
    expect(rejections).toEqual([
      { provider: 'anthropic', api: 'openai-chat', model: 'gpt-x', state: 'open' },
    ]);
  });

  it('shows only the breakers that hold something, and forgets one that is closed and clean again', () => {
    const { clock, breakers, fail } = setup();
    fail('openai-chat', 'one');
    fail('openai-chat', 'two');
    fail('openai-chat', 'two');
    const ok = breakers.admit('openai-chat', 'three');
    expect(breakers.snapshot()).toEqual([
      { api: 'openai-chat', model: 'one', state: 'closed', failures: 1, openRemainingMs: 0 },
      { api: 'openai-chat', model: 'two', state: 'open', failures: 2, openRemainingMs: 10_000 },
    ]);
    if (ok.admitted) ok.pass.record('success');
    const again = breakers.admit('openai-chat', 'one');
    if (again.admitted) again.pass.record('success');
    clock.advance(10_000);
    const trial = breakers.admit('openai-chat', 'two');
    if (trial.admitted) trial.pass.record('success');
    expect(breakers.snapshot()).toEqual([]);
    expect(breakers.size).toBe(0);
  });

  it('close stops the timers of open breakers', () => {
    const { clock, breakers, fail } = setup();
    fail('openai-chat', 'gpt-x');
    fail('openai-chat', 'gpt-x');
    expect(clock.pending).toEqual([10_000]);
    breakers.close();
    expect(clock.pending).toEqual([]);
  });

  it('stays bounded whatever model names clients send', () => {
    const { breakers, fail } = setup();
    for (let i = 0; i < 5000; i++) fail('openai-chat', `model-${i}`);
    expect(breakers.size).toBe(4096);
    // The newest are kept.
    expect(breakers.snapshot().at(-1)?.model).toBe('model-4999');
  });
});
