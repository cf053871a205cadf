import { createRequire } from 'node:module';
import type * as GenaiPrices from '@pydantic/genai-prices';
import type { ModelRates, PriceOverrides } from '../config/prices-schema.js';
import type { ApiFamily } from '../dialects/dialect.js';
import type { TokenUsage } from '../dialects/token-usage.js';

/** What an interception's cost depends on. */
export interface PriceQuery {
  /** The provider's configured name, for `provider/model` overrides. */
  readonly provider: string;
  /** The provider's type, which names it in the price table. */
  readonly providerType: 'anthropic' | 'openai';
  /** How the API counts input: Anthropic's excludes cached tokens, OpenAI's includes them. */
  readonly family: ApiFamily;
  readonly model: string;
  readonly usage: TokenUsage;
  /** When the call was made: the table holds dated prices. */
  readonly at: number;
}

/**
 * A table model's prices below its first tier, per token, read from the table itself: the
 * table splits usage into units and prices each linearly, so below any tier threshold a
 * cost is a fixed amount (a per-request price) plus a rate per token of each kind.
 */
interface LinearRates {
  readonly fixed: number;
  readonly uncachedInput: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly output: number;
  /** The rates hold while the whole input stays below this (the first tier's start). */
  readonly belowInput: number;
}

type Source =
  | { readonly kind: 'override'; readonly rates: ModelRates }
  | { readonly kind: 'table'; readonly linear: LinearRates | undefined }
  | { readonly kind: 'unpriced' };

/** Models are whatever clients send: the cache of where their prices come from stays bounded. */
const MAX_CACHED_MODELS = 1024;

/** The price table's function, replaceable in tests. */
export type PriceTable = typeof GenaiPrices.calcPrice;

/**
 * The maintained table, loaded when a Pricer is first made rather than with the gateway:
 * it holds some 20 MB resident, which a gateway that neither records nor exports metrics
 * (where costs go) never needs. Its CommonJS build, so that loading it stays synchronous.
 */
function maintainedTable(): PriceTable {
  const require = createRequire(import.meta.url);
  return (require('@pydantic/genai-prices') as typeof GenaiPrices).calcPrice;
}

/** Token counts split the way prices are quoted: input without the cached part, and the rest. */
interface Split {
  readonly totalInput: number;
  readonly uncachedInput: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  /** Reasoning tokens are billed as output, in which both APIs already count them. */
  readonly output: number;
}

function split(family: ApiFamily, usage: TokenUsage): Split {
  const totalInput =
    family === 'anthropic' ? usage.input + usage.cacheRead + usage.cacheCreation : usage.input;
  return {
    totalInput,
    uncachedInput: Math.max(0, totalInput - usage.cacheRead - usage.cacheCreation),
    cacheRead: usage.cacheRead,
    cacheWrite: usage.cacheCreation,
    output: usage.output,
  };
}

/**
 * Estimated cost of an interception in USD: the operator's `prices:` first (`provider/model`,
 * then `model`), else the maintained table of `@pydantic/genai-prices`, else unpriced
 * (undefined) — never a guess from a similar name. Where a model's price comes from is
 * found once and remembered, so an unknown model costs a map lookup, and a table model's
 * prices become per-token rates once: the table's own calculation (some 40–150 µs) then
 * runs only for what the rates cannot say (tiers above their threshold, prices that change
 * with the time of day, a kind of token the model has no price for).
 */
export class Pricer {
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly overrides: PriceOverrides,
    private readonly table: PriceTable = maintainedTable(),
  ) {}

  costUsd(query: PriceQuery): number | undefined {
    const key = `${query.provider}\u0000${query.model}`;
    let source = this.sources.get(key);
    const tokens = split(query.family, query.usage);
    if (source === undefined) {
      const rates =
        this.overrides.get(`${query.provider}/${query.model}`) ?? this.overrides.get(query.model);
      if (rates !== undefined) source = { kind: 'override', rates };
      else source = this.tableSource(query);
      if (this.sources.size < MAX_CACHED_MODELS) this.sources.set(key, source);
    }
    switch (source.kind) {
      case 'override':
        return costOf(source.rates, tokens);
      case 'table': {
        const linear = source.linear;
        if (linear === undefined || tokens.totalInput >= linear.belowInput)
          return this.fromTable(query, tokens);
        const cost =
          linear.fixed +
          term(tokens.uncachedInput, linear.uncachedInput) +
          term(tokens.cacheRead, linear.cacheRead) +
          term(tokens.cacheWrite, linear.cacheWrite) +
          term(tokens.output, linear.output);
        // NaN: a kind of token whose rate the table would not give; let it say what it does.
        return Number.isNaN(cost) ? this.fromTable(query, tokens) : cost;
      }
      case 'unpriced':
        return undefined;
    }
  }

  /**
   * Whether the table knows the model, and if so its per-token rates, found by pricing one
   * token of each kind. Models whose price changes with the date or time of day get none:
   * the table prices each of their calls itself.
   */
  private tableSource(query: PriceQuery): Source {
    const price = (usage: Record<string, number>) =>
      this.table(usage, query.model, {
        providerId: query.providerType,
        timestamp: new Date(query.at),
      });
    try {
      const base = price({ input_tokens: 0, output_tokens: 0 });
      if (base === null) return { kind: 'unpriced' };
      if (Array.isArray(base.model.prices)) return { kind: 'table', linear: undefined };
      const fixed = base.total_price;
      const rate = (usage: Record<string, number>): number => {
        try {
          return (price(usage)?.total_price ?? Number.NaN) - fixed;
        } catch {
          return Number.NaN;
        }
      };
      const linear: LinearRates = {
        fixed,
        uncachedInput: rate({ input_tokens: 1, output_tokens: 0 }),
        cacheRead: rate({ input_tokens: 1, output_tokens: 0, cache_read_tokens: 1 }),
        cacheWrite: rate({ input_tokens: 1, output_tokens: 0, cache_write_tokens: 1 }),
        output: rate({ input_tokens: 0, output_tokens: 1 }),
        belowInput: firstTier(base.model_price),
      };
      return { kind: 'table', linear: Number.isNaN(fixed) ? undefined : linear };
    } catch {
      // The table could not price even nothing: it prices each call itself.
      return { kind: 'table', linear: undefined };
    }
  }

  private fromTable(query: PriceQuery, tokens: Split): number | undefined {
    const usage: Record<string, number> = {
      input_tokens: tokens.totalInput,
      output_tokens: tokens.output,
    };
    if (tokens.cacheRead > 0) usage['cache_read_tokens'] = tokens.cacheRead;
    if (tokens.cacheWrite > 0) usage['cache_write_tokens'] = tokens.cacheWrite;
    try {
      const price = this.table(usage, query.model, {
        providerId: query.providerType,
        timestamp: new Date(query.at),
      });
      return price === null || !Number.isFinite(price.total_price) ? undefined : price.total_price;
    } catch {
      // The table refuses counts it cannot split (e.g. more cached than total input).
      return undefined;
    }
  }
}

/** The lowest input count at which any of a model's tiered prices changes; Infinity if none. */
function firstTier(prices: Readonly<Record<string, unknown>>): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const value of Object.values(prices)) {
    if (typeof value !== 'object' || value === null) continue;
    const tiers = (value as { tiers?: unknown }).tiers;
    if (!Array.isArray(tiers)) continue;
    for (const tier of tiers) {
      const start = (tier as { start?: unknown }).start;
      if (typeof start === 'number') lowest = Math.min(lowest, start);
    }
  }
  return lowest;
}

/** Tokens of one kind at a per-token rate; none costs nothing even at an unknown rate. */
function term(count: number, rate: number): number {
  return count === 0 ? 0 : count * rate;
}

/** The operator's rates are per million tokens. */
function costOf(rates: ModelRates, tokens: Split): number {
  return (
    (tokens.uncachedInput * rates.input +
      tokens.cacheRead * rates.cacheRead +
      tokens.cacheWrite * rates.cacheWrite +
      tokens.output * rates.output) /
    1_000_000
  );
}
