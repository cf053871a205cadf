import type { TokenUsage } from '../../recorder/interception.js';
import { countField, type JsonRecord } from '../json-access.js';

/**
 * Folds an Anthropic `usage` object into the running totals. Streams report input and cache
 * counts in message_start and cumulative counts in message_delta, so a later figure replaces
 * an earlier one rather than adding to it.
 */
export function applyAnthropicUsage(usage: TokenUsage, record: JsonRecord | undefined): void {
  usage.input = countField(record, 'input_tokens') ?? usage.input;
  usage.output = countField(record, 'output_tokens') ?? usage.output;
  usage.cacheRead = countField(record, 'cache_read_input_tokens') ?? usage.cacheRead;
  usage.cacheCreation = countField(record, 'cache_creation_input_tokens') ?? usage.cacheCreation;
}
