import type { AgenticCodec } from '../agentic.js';
import { ChatBlockingAssembler } from './blocking-assembler.js';
import { chatContinuation } from './continuation.js';
import { ChatStreamAssembler } from './stream-assembler.js';

/**
 * The agentic loop in Chat Completions terms. Only choice 0 takes part in the loop: its
 * tool calls are the turn's, and with `n` > 1 the other choices follow its fate (dropped
 * with a turn that called injected tools, given as they were with the final one).
 */
export const CHAT_AGENTIC: AgenticCodec = {
  continuation: chatContinuation,
  blocking: (isInjected) => new ChatBlockingAssembler(isInjected),
  streaming: (isInjected, request) => new ChatStreamAssembler(isInjected, request),
};
