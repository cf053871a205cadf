import type { TokenUsage } from '../../recorder/interception.js';
import { asRecord, countField, type JsonRecord } from '../json-access.js';

/** Chat Completions usage: prompt tokens include the cached ones, as OpenAI bills them. */
export function applyChatUsage(usage: TokenUsage, record: JsonRecord | undefined): void {
  if (record === undefined) return;
  usage.input = countField(record, 'prompt_tokens') ?? usage.input;
  usage.output = countField(record, 'completion_tokens') ?? usage.output;
  usage.cacheRead =
    countField(asRecord(record['prompt_tokens_details']), 'cached_tokens') ?? usage.cacheRead;
  usage.reasoning =
    countField(asRecord(record['completion_tokens_details']), 'reasoning_tokens') ??
    usage.reasoning;
}
