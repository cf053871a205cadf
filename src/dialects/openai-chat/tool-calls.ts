import type { IsInjected, ToolCall } from '../agentic.js';
import { mutableRecord, type MutableRecord } from './mutable-record.js';

/**
 * One `tool_calls[]` entry of an assistant message, as Chat writes it. Members besides id,
 * type and function are kept: some OpenAI-compatible providers attach what they need
 * back (Gemini's `extra_content` thought signature) to the call itself.
 */
export interface ChatToolCall {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly arguments: string;
  readonly extra: Readonly<MutableRecord>;
}

/** A blocking message's `tool_calls[]` entry read; undefined for what is not a function call. */
export function chatToolCall(value: unknown): ChatToolCall | undefined {
  const entry = mutableRecord(value);
  const fn = mutableRecord(entry?.['function']);
  if (entry === undefined || fn === undefined) return undefined;
  const { id, type, ...extra } = entry;
  delete extra['function'];
  const name = fn['name'];
  const args = fn['arguments'];
  return {
    id: typeof id === 'string' ? id : '',
    type: typeof type === 'string' ? type : 'function',
    name: typeof name === 'string' ? name : '',
    arguments: typeof args === 'string' ? args : '',
    extra,
  };
}

/** The call as a message's `tool_calls[]` entry; with `index` for a streamed delta. */
export function toolCallWire(call: ChatToolCall, index?: number): MutableRecord {
  return {
    ...(index === undefined ? {} : { index }),
    id: call.id,
    type: call.type,
    function: { name: call.name, arguments: call.arguments },
    ...call.extra,
  };
}

export function neutralCall(call: ChatToolCall): ToolCall {
  return { id: call.id, name: call.name, arguments: call.arguments };
}

export interface SplitCalls {
  readonly injected: readonly ChatToolCall[];
  readonly client: readonly ChatToolCall[];
}

export function splitCalls(calls: readonly ChatToolCall[], isInjected: IsInjected): SplitCalls {
  const injected: ChatToolCall[] = [];
  const client: ChatToolCall[] = [];
  for (const call of calls) (isInjected(call.name) ? injected : client).push(call);
  return { injected, client };
}

interface Pending {
  id: string;
  type: string;
  name: string;
  arguments: string;
  extra: MutableRecord;
}

/**
 * Builds the calls of one streamed choice from their `tool_calls` deltas, keyed by their
 * `index`, the way the SDK's ChatCompletionStream does: id, type and name are set by the
 * deltas that carry them (normally the first), arguments are concatenated.
 */
export class ToolCallAccumulator {
  private readonly pending = new Map<number, Pending>();

  add(deltas: unknown): void {
    if (!Array.isArray(deltas)) return;
    for (const value of deltas) {
      const delta = mutableRecord(value);
      if (delta === undefined) continue;
      const { index, id, type, function: fnValue, ...extra } = delta;
      const key = typeof index === 'number' ? index : this.pending.size;
      let call = this.pending.get(key);
      if (call === undefined) {
        call = { id: '', type: 'function', name: '', arguments: '', extra: {} };
        this.pending.set(key, call);
      }
      Object.assign(call.extra, extra);
      if (typeof id === 'string' && id !== '') call.id = id;
      if (typeof type === 'string' && type !== '') call.type = type;
      const fn = mutableRecord(fnValue);
      const name = fn?.['name'];
      const args = fn?.['arguments'];
      if (typeof name === 'string' && name !== '') call.name = name;
      if (typeof args === 'string') call.arguments += args;
    }
  }

  /** The calls in `index` order. */
  calls(): ChatToolCall[] {
    return [...this.pending.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  }
}
