import type { UsageFields } from '../usage-fields.js';

/** Responses: input tokens include the cached ones, output tokens the reasoning ones. */
export const RESPONSES_USAGE: UsageFields = {
  input: ['input_tokens'],
  output: ['output_tokens'],
  cacheRead: ['input_tokens_details', 'cached_tokens'],
  reasoning: ['output_tokens_details', 'reasoning_tokens'],
};
