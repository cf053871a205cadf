import { emptyUsage } from '../../recorder/interception.js';
import type { BridgeRequest, Dialect } from '../dialect.js';
import { asRecord } from '../json-access.js';
import { setTopLevelMember } from '../raw-json.js';
import { ChatStreamObserver } from './stream-observer.js';
import { applyChatUsage } from './usage.js';

function clientAskedForUsage(request: BridgeRequest): boolean {
  return asRecord(request.json['stream_options'])?.['include_usage'] === true;
}

export const openaiChat: Dialect = {
  id: 'openai-chat',
  family: 'openai',
  upstreamBody(request) {
    if (!request.stream || clientAskedForUsage(request)) return request.raw;
    const options = { ...asRecord(request.json['stream_options']), include_usage: true };
    return Buffer.from(
      setTopLevelMember(request.raw.toString('utf8'), 'stream_options', JSON.stringify(options)),
    );
  },
  observeStream: (request) => new ChatStreamObserver(clientAskedForUsage(request)),
  usageOf(body) {
    const usage = emptyUsage();
    applyChatUsage(usage, asRecord(asRecord(body)?.['usage']));
    return usage;
  },
};
