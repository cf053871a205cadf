import type { UsageFields } from '../usage-fields.js';

/** Anthropic reports input tokens without the cached ones, which come separately. */
export const ANTHROPIC_USAGE: UsageFields = {
  input: ['input_tokens'],
  output: ['output_tokens'],
  cacheRead: ['cache_read_input_tokens'],
  cacheCreation: ['cache_creation_input_tokens'],
};
