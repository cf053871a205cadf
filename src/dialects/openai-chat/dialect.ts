import type { BridgeRequest } from '../dialect.js';
import { defineDialect } from '../define-dialect.js';
import { asRecord } from '../json-access.js';
import { setTopLevelMember } from '../raw-json.js';
import { ChatStreamObserver } from './stream-observer.js';
import { CHAT_USAGE } from './usage.js';

function clientAskedForUsage(request: BridgeRequest): boolean {
  return asRecord(request.json['stream_options'])?.['include_usage'] === true;
}

/**
 * Streams always ask the upstream for usage (the one edit to the client's body); the
 * observer hides the extra chunks from a client that did not ask.
 */
export const openaiChat = defineDialect({
  id: 'openai-chat',
  family: 'openai',
  usage: CHAT_USAGE,
  observeStream: (request) => new ChatStreamObserver(clientAskedForUsage(request)),
  upstreamBody(request) {
    if (!request.stream || clientAskedForUsage(request)) return request.raw;
    const options = { ...asRecord(request.json['stream_options']), include_usage: true };
    return Buffer.from(
      setTopLevelMember(request.raw.toString('utf8'), 'stream_options', JSON.stringify(options)),
    );
  },
});
