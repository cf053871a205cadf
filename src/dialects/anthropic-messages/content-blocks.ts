import type { IsInjected, ToolCall } from '../agentic.js';
import { stringField, type JsonRecord } from '../json-access.js';

/**
 * What the loop does with a content block: a call of an injected tool (hidden from the
 * client, run by the gateway), a call of one of the client's own tools, or anything else
 * (text, thinking, server tools and their results), which the client sees.
 */
export type BlockKind = 'visible' | 'injected' | 'client';

export function blockKind(block: JsonRecord | undefined, isInjected: IsInjected): BlockKind {
  if (stringField(block, 'type') !== 'tool_use') return 'visible';
  return isInjected(stringField(block, 'name') ?? '') ? 'injected' : 'client';
}

export function toolCall(block: JsonRecord | undefined, args: string): ToolCall {
  return {
    id: stringField(block, 'id') ?? '',
    name: stringField(block, 'name') ?? '',
    arguments: args,
  };
}

/**
 * Whether a block goes back to the model in the replay. The API refuses an empty text
 * block in a request, and a model may open one before a tool call: it carries nothing.
 */
function replayable(block: JsonRecord): boolean {
  return !(block['type'] === 'text' && block['text'] === '');
}

/** The assistant message of a replay: the turn's blocks, the client's calls left out. */
export function replayMessage(blocks: readonly JsonRecord[]): Buffer {
  return Buffer.from(JSON.stringify({ role: 'assistant', content: blocks.filter(replayable) }));
}
