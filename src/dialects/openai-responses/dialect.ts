import { defineDialect } from '../define-dialect.js';
import { RESPONSES_AGENTIC } from './agentic.js';
import { ResponsesStreamObserver } from './stream-observer.js';
import { responsesPrompt, responsesThoughts } from './texts.js';
import { RESPONSES_TOOLS } from './tools.js';
import { RESPONSES_USAGE } from './usage.js';

/** Forwarded byte for byte: reasoning items, previous_response_id and unknown fields survive. */
export const openaiResponses = defineDialect({
  id: 'openai-responses',
  family: 'openai',
  usage: RESPONSES_USAGE,
  tools: RESPONSES_TOOLS,
  agentic: RESPONSES_AGENTIC,
  observeStream: (_request, options) =>
    new ResponsesStreamObserver(options.collectThoughts === true),
  promptOf: responsesPrompt,
  thoughtsOf: responsesThoughts,
});
