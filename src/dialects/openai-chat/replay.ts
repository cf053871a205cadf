import { toolCallWire, type ChatToolCall } from './tool-calls.js';

/**
 * The assistant message the next request carries: the turn's content (null when there is
 * none, as Chat allows beside tool calls) and the injected calls only. DeepSeek's thinking
 * mode answers 400 when a tool-calling turn comes back without its `reasoning_content`,
 * so that is replayed too when the upstream wrote one; OpenAI never does.
 */
export function replayMessage(
  content: unknown,
  reasoningContent: string | undefined,
  injected: readonly ChatToolCall[],
): Buffer {
  return Buffer.from(
    JSON.stringify({
      role: 'assistant',
      content: content ?? null,
      ...(reasoningContent === undefined || reasoningContent === ''
        ? {}
        : { reasoning_content: reasoningContent }),
      tool_calls: injected.map((call) => toolCallWire(call)),
    }),
  );
}
