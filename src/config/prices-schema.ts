import { z } from 'zod';

const PRICE_EXPECTED = 'expected a price in USD per million tokens (0 or more), e.g. 3 or 0.3';

/** USD per million tokens, written as a number or (from `${VAR}`) as a decimal string. */
const perMillion = z.unknown().transform((value, ctx) => {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : undefined;
  if (number === undefined || !Number.isFinite(number) || number < 0) {
    ctx.addIssue({ code: 'custom', message: PRICE_EXPECTED });
    return z.NEVER;
  }
  return number;
});

/** One model's rates; cache rates default to the input rate when a provider has no discount. */
const modelPrice = z.strictObject({
  input: perMillion,
  output: perMillion,
  cache_read: perMillion.optional(),
  cache_write: perMillion.optional(),
});

/**
 * `prices:` the operator's prices, winning over the maintained table: keyed by model
 * (`claude-sonnet-4-5`) or by provider and model (`openai-eu/gpt-5`, the provider's name
 * from `providers`), the latter winning for that provider.
 */
export const pricesSchema = z.record(z.string().min(1, 'a model name is empty'), modelPrice);

/** Rates in USD per million tokens. */
export interface ModelRates {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

export type PriceOverrides = ReadonlyMap<string, ModelRates>;

export function priceOverridesOf(raw: z.output<typeof pricesSchema>): PriceOverrides {
  return new Map(
    Object.entries(raw).map(([model, p]) => [
      model,
      {
        input: p.input,
        output: p.output,
        cacheRead: p.cache_read ?? p.input,
        cacheWrite: p.cache_write ?? p.input,
      },
    ]),
  );
}
