import type { JsonRecord } from '../json-access.js';
import type { TokenUsage } from '../token-usage.js';

/** Adds one upstream answer's usage to the loop's running sum. */
export function addUsage(sum: TokenUsage, usage: TokenUsage): void {
  sum.input += usage.input;
  sum.output += usage.output;
  sum.cacheRead += usage.cacheRead;
  sum.cacheCreation += usage.cacheCreation;
  sum.reasoning += usage.reasoning;
}

export function sumUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum = { ...a };
  addUsage(sum, b);
  return sum;
}

/**
 * A `usage` object carrying the loop's sums: the four counts Anthropic reports, over every
 * iteration; any other field (server_tool_use, service_tier, …) as the final answer had it.
 * The cache counts are written when the final answer had them or the loop used the cache,
 * so a loop that never touched the cache keeps the final answer's shape.
 */
export function withLoopUsage(
  record: JsonRecord | undefined,
  sum: TokenUsage,
): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    ...record,
    input_tokens: sum.input,
    output_tokens: sum.output,
  };
  if (sum.cacheRead > 0 || record?.['cache_read_input_tokens'] !== undefined) {
    usage['cache_read_input_tokens'] = sum.cacheRead;
  }
  if (sum.cacheCreation > 0 || record?.['cache_creation_input_tokens'] !== undefined) {
    usage['cache_creation_input_tokens'] = sum.cacheCreation;
  }
  return usage;
}
