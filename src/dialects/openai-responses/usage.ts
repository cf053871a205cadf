import type { TokenUsage } from '../../recorder/interception.js';
import { asRecord, countField, type JsonRecord } from '../json-access.js';

/** Responses usage: input tokens include the cached ones, output tokens the reasoning ones. */
export function applyResponsesUsage(usage: TokenUsage, record: JsonRecord | undefined): void {
  if (record === undefined) return;
  usage.input = countField(record, 'input_tokens') ?? usage.input;
  usage.output = countField(record, 'output_tokens') ?? usage.output;
  usage.cacheRead =
    countField(asRecord(record['input_tokens_details']), 'cached_tokens') ?? usage.cacheRead;
  usage.reasoning =
    countField(asRecord(record['output_tokens_details']), 'reasoning_tokens') ?? usage.reasoning;
}
