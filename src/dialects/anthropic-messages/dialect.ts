import { defineDialect } from '../define-dialect.js';
import { ANTHROPIC_AGENTIC } from './agentic.js';
import { AnthropicStreamObserver } from './stream-observer.js';
import { anthropicPrompt, anthropicThoughts } from './texts.js';
import { ANTHROPIC_TOOLS } from './tools.js';
import { ANTHROPIC_USAGE } from './usage.js';

export const anthropicMessages = defineDialect({
  id: 'anthropic-messages',
  family: 'anthropic',
  usage: ANTHROPIC_USAGE,
  tools: ANTHROPIC_TOOLS,
  agentic: ANTHROPIC_AGENTIC,
  observeStream: (_request, options) =>
    new AnthropicStreamObserver(options.collectThoughts === true),
  promptOf: anthropicPrompt,
  thoughtsOf: anthropicThoughts,
});
