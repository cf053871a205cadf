import type { AgenticCodec } from '../agentic.js';
import { ResponsesBlockingAssembler } from './blocking-assembler.js';
import { responsesContinuation } from './continuation.js';
import { ResponsesStreamAssembler } from './stream-assembler.js';

/**
 * The agentic loop in the Responses API's format. Tool calls are `function_call` output
 * items, results `function_call_output` input items; the model's items go back into
 * `input` as the provider wrote them.
 */
export const RESPONSES_AGENTIC: AgenticCodec = {
  continuation: responsesContinuation,
  blocking: (isInjected) => new ResponsesBlockingAssembler(isInjected),
  streaming: (isInjected) => new ResponsesStreamAssembler(isInjected),
};
