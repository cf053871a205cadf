import type { BlockingAssembler, IsInjected, Turn } from '../agentic.js';
import type { JsonObjectText } from '../json-object.js';
import { usageReader } from '../usage-fields.js';
import { mutableRecord, type MutableRecord } from './mutable-record.js';
import { replayMessage } from './replay.js';
import { chatToolCall, neutralCall, splitCalls, type ChatToolCall } from './tool-calls.js';
import { addUsage } from './usage-sum.js';
import { CHAT_USAGE } from './usage.js';

const EMPTY = Buffer.alloc(0);
const TOOL_CALLS = Buffer.from('"tool_calls"');
const chatUsageOf = usageReader(CHAT_USAGE);

/** The message of choice 0, the only choice that takes part in the loop. */
function firstChoice(choices: unknown): MutableRecord | undefined {
  if (!Array.isArray(choices)) return undefined;
  for (const choice of choices) {
    const record = mutableRecord(choice);
    if (record?.['index'] === 0) return record;
  }
  return mutableRecord(choices[0]);
}

function toolCallsOf(message: MutableRecord | undefined): ChatToolCall[] {
  const entries = message?.['tool_calls'];
  if (!Array.isArray(entries)) return [];
  return entries.map(chatToolCall).filter((call) => call !== undefined);
}

/** The strings of one message member over the loop, joined; undefined when none is a string. */
function joined(messages: readonly (MutableRecord | undefined)[], key: string): string | undefined {
  let text: string | undefined;
  for (const message of messages) {
    const value = message?.[key];
    if (typeof value === 'string') text = (text ?? '') + value;
  }
  return text;
}

/**
 * Blocking Chat answers of one loop. Only choice 0 takes part: with `n` > 1, the other
 * choices of a turn that called injected tools are dropped with it, and the client
 * receives the other choices of the final answer as they were.
 */
export class ChatBlockingAssembler implements BlockingAssembler {
  private readonly bodies: JsonObjectText[] = [];

  constructor(private readonly isInjected: IsInjected) {}

  read(body: JsonObjectText): Turn {
    this.bodies.push(body);
    const usage = chatUsageOf(body.value('usage'));
    // Most answers call no tool: their choices are not parsed at all.
    if (!body.raw.includes(TOOL_CALLS)) {
      return { injectedCalls: [], clientCalls: [], usage, replay: EMPTY };
    }
    const message = mutableRecord(firstChoice(body.value('choices'))?.['message']);
    const { injected, client } = splitCalls(toolCallsOf(message), this.isInjected);
    const reasoning = message?.['reasoning_content'];
    return {
      injectedCalls: injected.map(neutralCall),
      clientCalls: client.map(neutralCall),
      usage,
      replay:
        injected.length === 0
          ? EMPTY
          : replayMessage(
              message?.['content'],
              typeof reasoning === 'string' ? reasoning : undefined,
              injected,
            ),
    };
  }

  answer(): Buffer {
    const last = this.bodies[this.bodies.length - 1];
    if (last === undefined) throw new Error('answer() before any read()');
    if (this.bodies.length === 1) return last.raw;
    const final = mutableRecord(JSON.parse(last.raw.toString('utf8')) as unknown) ?? {};
    const first = this.bodies[0]?.value('id');
    if (typeof first === 'string') final['id'] = first;
    let usage: unknown;
    for (const body of this.bodies) usage = addUsage(usage, body.value('usage'));
    if (usage !== undefined) final['usage'] = usage;
    const finalMessage = mutableRecord(firstChoice(final['choices'])?.['message']);
    if (finalMessage !== undefined) {
      const messages = this.bodies
        .slice(0, -1)
        .map((body) => mutableRecord(firstChoice(body.value('choices'))?.['message']));
      messages.push(finalMessage);
      finalMessage['content'] = joined(messages, 'content') ?? finalMessage['content'] ?? null;
      // What OpenAI-compatible providers call their reasoning text, in the order they use.
      for (const key of ['reasoning_content', 'reasoning']) {
        const text = joined(messages, key);
        if (text !== undefined) finalMessage[key] = text;
      }
    }
    return Buffer.from(JSON.stringify(final));
  }
}
