import { emptyUsage } from '../../recorder/interception.js';
import type { Dialect } from '../dialect.js';
import { asRecord } from '../json-access.js';
import { ResponsesStreamObserver } from './stream-observer.js';
import { applyResponsesUsage } from './usage.js';

export const openaiResponses: Dialect = {
  id: 'openai-responses',
  family: 'openai',
  upstreamBody: (request) => request.raw,
  observeStream: () => new ResponsesStreamObserver(),
  usageOf(body) {
    const usage = emptyUsage();
    applyResponsesUsage(usage, asRecord(asRecord(body)?.['usage']));
    return usage;
  },
};
