import { calcPrice } from '@pydantic/genai-prices';
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

type Source =
  | { readonly kind: 'override'; readonly rates: ModelRates }
  | { readonly kind: 'table' }
  | { readonly kind: 'unpriced' };

/** Models are whatever clients send: the cache of where their prices come from stays bounded. */
const MAX_CACHED_MODELS = 1024;

/** The price table's function, replaceable in tests. */
export type PriceTable = typeof calcPrice;

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
 * found once and remembered, so an unknown model costs a map lookup; the table's own
 * calculation (tiers, dated prices) runs for each priced interception, after its response.
 */
export class Pricer {
  private readonly sources = new Map<string, Source>();

  constructor(
    private readonly overrides: PriceOverrides,
    private readonly table: PriceTable = calcPrice,
  ) {}

  costUsd(query: PriceQuery): number | undefined {
    const key = `${query.provider}\u0000${query.model}`;
    let source = this.sources.get(key);
    const tokens = split(query.family, query.usage);
    if (source === undefined) {
      const rates =
        this.overrides.get(`${query.provider}/${query.model}`) ?? this.overrides.get(query.model);
      if (rates !== undefined) source = { kind: 'override', rates };
      else source = this.inTable(query) ? { kind: 'table' } : { kind: 'unpriced' };
      if (this.sources.size < MAX_CACHED_MODELS) this.sources.set(key, source);
    }
    switch (source.kind) {
      case 'override':
        return costOf(source.rates, tokens);
      case 'table':
        return this.fromTable(query, tokens);
      case 'unpriced':
        return undefined;
    }
  }

  /** Whether the table knows the model at all, whatever the counts. */
  private inTable(query: PriceQuery): boolean {
    try {
      return (
        this.table({ input_tokens: 0, output_tokens: 0 }, query.model, {
          providerId: query.providerType,
          timestamp: new Date(query.at),
        }) !== null
      );
    } catch {
      return false;
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
