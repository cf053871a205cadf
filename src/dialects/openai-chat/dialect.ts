import type { BridgeRequest } from '../dialect.js';
import { defineDialect } from '../define-dialect.js';
import { asRecord } from '../json-access.js';
import { CHAT_AGENTIC } from './agentic.js';
import { ChatStreamObserver } from './stream-observer.js';
import { chatPrompt, chatThoughts } from './texts.js';
import { CHAT_TOOLS } from './tools.js';
import { CHAT_USAGE } from './usage.js';

function clientAskedForUsage(request: BridgeRequest | undefined): boolean {
  if (request === undefined) return true;
  return asRecord(request.body.value('stream_options'))?.['include_usage'] === true;
}

/**
 * Streams always ask the upstream for usage (the one edit to the client's body); the
 * observer hides the extra chunks from a client that did not ask.
 */
export const openaiChat = defineDialect({
  id: 'openai-chat',
  family: 'openai',
  usage: CHAT_USAGE,
  tools: CHAT_TOOLS,
  agentic: CHAT_AGENTIC,
  observeStream: (request, options) =>
    new ChatStreamObserver(clientAskedForUsage(request), options.collectThoughts === true),
  promptOf: chatPrompt,
  thoughtsOf: chatThoughts,
  edits(request) {
    if (!request.stream || clientAskedForUsage(request)) return [];
    const options = { ...asRecord(request.body.value('stream_options')), include_usage: true };
    return [request.body.memberSplice('stream_options', JSON.stringify(options))];
  },
});
