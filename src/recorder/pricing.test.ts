import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../config/load.js';
import { Pricer, type PriceQuery } from './pricing.js';

const AT = Date.parse('2026-06-01T12:00:00Z');

function query(overrides: Partial<PriceQuery>): PriceQuery {
  return {
    provider: 'anthropic',
    providerType: 'anthropic',
    family: 'anthropic',
    model: 'claude-sonnet-4-5',
    usage: { input: 1000, output: 500, cacheRead: 2000, cacheCreation: 300, reasoning: 0 },
    at: AT,
    ...overrides,
  };
}

function overrides(prices: Record<string, unknown>): ReturnType<typeof parseConfig>['prices'] {
  return parseConfig({ prices }, {}, 'test').prices;
}

describe('Pricer', () => {
  it("prices a known Anthropic model as the table does, cached tokens at the table's rates", () => {
    const table = calcPrice(
      // The table counts input with the cached tokens; Anthropic reports them apart.
      { input_tokens: 3300, output_tokens: 500, cache_read_tokens: 2000, cache_write_tokens: 300 },
      'claude-sonnet-4-5',
      { providerId: 'anthropic', timestamp: new Date(AT) },
    );
    expect(table).not.toBeNull();
    const cost = new Pricer(new Map()).costUsd(query({}));
    expect(cost).toBeCloseTo(table?.total_price ?? -1, 12);
    // And the figure is the published one: 1000×3 + 2000×0.3 + 300×3.75 + 500×15 per million.
    expect(cost).toBeCloseTo((1000 * 3 + 2000 * 0.3 + 300 * 3.75 + 500 * 15) / 1e6, 12);
  });

  it('prices a known OpenAI model, whose input already counts the cached tokens', () => {
    const usage = { input: 5000, output: 800, cacheRead: 1000, cacheCreation: 0, reasoning: 300 };
    const table = calcPrice(
      { input_tokens: 5000, output_tokens: 800, cache_read_tokens: 1000 },
      'gpt-4o',
      { providerId: 'openai', timestamp: new Date(AT) },
    );
    const cost = new Pricer(new Map()).costUsd(
      query({
        provider: 'openai',
        providerType: 'openai',
        family: 'openai',
        model: 'gpt-4o',
        usage,
      }),
    );
    expect(table).not.toBeNull();
    expect(cost).toBeCloseTo(table?.total_price ?? -1, 12);
  });

  it("agrees with the table's own calculation for every model and size, tiers included", () => {
    const models: [PriceQuery['providerType'], string][] = [
      ['anthropic', 'claude-sonnet-4-5'],
      ['anthropic', 'claude-opus-4-1'],
      ['anthropic', 'claude-3-5-haiku-latest'],
      ['anthropic', 'claude-opus-4-8'],
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-mini'],
      ['openai', 'gpt-5'],
      ['openai', 'o3'],
      ['openai', 'gpt-4.1'],
    ];
    // Tokens by kind: uncached input, cache read, cache write, output.
    const sizes = [
      [10, 0, 0, 5],
      [1200, 52_000, 800, 340],
      // Above the 200k-token tiers some models have.
      [150_000, 90_000, 10_000, 4000],
    ] as const;
    let priced = 0;
    for (const [providerType, model] of models) {
      const pricer = new Pricer(new Map());
      for (const [uncached, read, written, output] of sizes) {
        // OpenAI has no cache writes and counts cached tokens within its input.
        const write = providerType === 'anthropic' ? written : 0;
        const usage = {
          input: providerType === 'anthropic' ? uncached : uncached + read,
          output,
          cacheRead: read,
          cacheCreation: write,
          reasoning: 0,
        };
        const table = calcPrice(
          {
            input_tokens: uncached + read + write,
            output_tokens: output,
            cache_read_tokens: read,
            ...(write > 0 ? { cache_write_tokens: write } : {}),
          },
          model,
          { providerId: providerType, timestamp: new Date(AT) },
        );
        const cost = pricer.costUsd(
          query({ provider: providerType, providerType, family: providerType, model, usage }),
        );
        if (table === null) {
          expect(cost, model).toBeUndefined();
          continue;
        }
        priced++;
        expect(cost, `${model} ${JSON.stringify(usage)}`).toBeCloseTo(table.total_price, 12);
      }
    }
    expect(priced).toBeGreaterThanOrEqual(15);
  });

  it('lets an override win, provider-qualified over bare, cache rates defaulting to input', () => {
    const pricer = new Pricer(
      overrides({
        'claude-sonnet-4-5': { input: 1, output: 2, cache_read: 0.5, cache_write: 1.5 },
        'anthropic-eu/claude-sonnet-4-5': { input: 10, output: 20 },
      }),
    );
    expect(pricer.costUsd(query({}))).toBeCloseTo(
      (1000 * 1 + 2000 * 0.5 + 300 * 1.5 + 500 * 2) / 1e6,
      12,
    );
    expect(pricer.costUsd(query({ provider: 'anthropic-eu' }))).toBeCloseTo(
      ((1000 + 2000 + 300) * 10 + 500 * 20) / 1e6,
      12,
    );
  });

  it('adds a model the table does not know', () => {
    const pricer = new Pricer(overrides({ 'house-model': { input: '2', output: '4.5' } }));
    const usage = {
      input: 1_000_000,
      output: 2_000_000,
      cacheRead: 0,
      cacheCreation: 0,
      reasoning: 0,
    };
    expect(pricer.costUsd(query({ model: 'house-model', usage }))).toBeCloseTo(11, 12);
  });

  it('leaves an unknown model unpriced, and asks the table about it only once', () => {
    const table = vi.fn(calcPrice);
    const pricer = new Pricer(new Map(), table);
    expect(pricer.costUsd(query({ model: 'claude-test' }))).toBeUndefined();
    expect(pricer.costUsd(query({ model: 'claude-test' }))).toBeUndefined();
    expect(table).toHaveBeenCalledTimes(1);
    // Not a guess from a similar name either.
    expect(pricer.costUsd(query({ model: 'totally-unknown-sonnet' }))).toBeUndefined();
  });

  it('prices nothing used at zero for a known model', () => {
    const usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0, reasoning: 0 };
    expect(new Pricer(new Map()).costUsd(query({ usage }))).toBe(0);
  });

  it('answers unpriced when the table refuses the counts', () => {
    const table = vi.fn((usage: Record<string, number | undefined>) => {
      if ((usage['input_tokens'] ?? 0) > 0) throw new Error('cache exceeds input');
      return calcPrice(usage, 'claude-sonnet-4-5', { providerId: 'anthropic' });
    });
    expect(new Pricer(new Map(), table).costUsd(query({}))).toBeUndefined();
  });
});

describe('prices: in the configuration', () => {
  const error = (prices: unknown): string => {
    try {
      parseConfig({ prices }, {}, 'test');
      return 'no error';
    } catch (thrown) {
      return (thrown as Error).message;
    }
  };

  it('defaults to none', () => {
    expect(parseConfig({}, {}, 'test').prices.size).toBe(0);
  });

  it('names a bad or unknown field', () => {
    expect(error({ m: { input: 1 } })).toMatch(/^prices\.m\.output: /);
    expect(error({ m: { input: -1, output: 1 } })).toMatch(/^prices\.m\.input: /);
    expect(error({ m: { input: 'cheap', output: 1 } })).toMatch(
      /^prices\.m\.input: expected a price in USD per million tokens/,
    );
    expect(error({ m: { input: 1, output: 1, reasoning: 1 } })).toMatch(
      /^prices\.m: unknown field "reasoning"/,
    );
    expect(error([1])).toMatch(/^prices: /);
  });
});
