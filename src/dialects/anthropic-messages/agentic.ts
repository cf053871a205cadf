import type { AgenticCodec } from '../agentic.js';
import { AnthropicBlockingAssembler } from './blocking-assembler.js';
import { continuation } from './continuation.js';
import { AnthropicStreamAssembler } from './stream-assembler.js';

/**
 * The agentic loop in Messages terms: calls are `tool_use` blocks, results a user message of
 * `tool_result` blocks, and the client's one message keeps the first iteration's
 * message_start (its id), takes the blocks of every iteration with consecutive indexes, and
 * ends with the last iteration's message_delta carrying the loop's summed usage. Injected
 * calls never reach the client; its own calls reach it only from a turn that made no
 * injected call (held until message_delta says which).
 */
export const ANTHROPIC_AGENTIC: AgenticCodec = {
  continuation,
  blocking: (isInjected) => new AnthropicBlockingAssembler(isInjected),
  // Nothing in a Messages request changes how its stream is told: the request is not needed.
  streaming: (isInjected) => new AnthropicStreamAssembler(isInjected),
};
