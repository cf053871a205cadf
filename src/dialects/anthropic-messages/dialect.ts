import { emptyUsage } from '../../recorder/interception.js';
import type { Dialect } from '../dialect.js';
import { asRecord } from '../json-access.js';
import { AnthropicStreamObserver } from './stream-observer.js';
import { applyAnthropicUsage } from './usage.js';

export const anthropicMessages: Dialect = {
  id: 'anthropic-messages',
  family: 'anthropic',
  upstreamBody: (request) => request.raw,
  observeStream: () => new AnthropicStreamObserver(),
  usageOf(body) {
    const usage = emptyUsage();
    applyAnthropicUsage(usage, asRecord(asRecord(body)?.['usage']));
    return usage;
  },
};
