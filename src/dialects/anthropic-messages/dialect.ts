import { defineDialect } from '../define-dialect.js';
import { AnthropicStreamObserver } from './stream-observer.js';
import { ANTHROPIC_USAGE } from './usage.js';

export const anthropicMessages = defineDialect({
  id: 'anthropic-messages',
  family: 'anthropic',
  usage: ANTHROPIC_USAGE,
  observeStream: () => new AnthropicStreamObserver(),
});
