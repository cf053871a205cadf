import type { UsageFields } from '../usage-fields.js';

/** Chat Completions: prompt tokens include the cached ones, as OpenAI bills them. */
export const CHAT_USAGE: UsageFields = {
  input: ['prompt_tokens'],
  output: ['completion_tokens'],
  cacheRead: ['prompt_tokens_details', 'cached_tokens'],
  reasoning: ['completion_tokens_details', 'reasoning_tokens'],
};
