import type { IsInjected, IterationObserver, Turn } from '../agentic.js';
import { parseJson, stringField } from '../json-access.js';
import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { applyUsage } from '../usage-fields.js';
import { SseFramer, type SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import { chunkNeedsReading, isDoneEvent, mentionsUsage } from './chunk-screen.js';
import { mutableRecord, type MutableRecord } from './mutable-record.js';
import { replayMessage } from './replay.js';
import {
  neutralCall,
  splitCalls,
  ToolCallAccumulator,
  toolCallWire,
  type SplitCalls,
} from './tool-calls.js';
import { addUsage } from './usage-sum.js';
import { CHAT_USAGE } from './usage.js';

const DROP = Buffer.alloc(0);
const USAGE_NULL = /,\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,?/;

/** What the iterations of one streamed loop share. */
export interface ChatLoop {
  readonly isInjected: IsInjected;
  /** `stream_options.include_usage` in the client's own request. */
  readonly clientAskedForUsage: boolean;
  /** `n` > 1: every chunk is read, since choices other than 0 wait for choice 0's turn. */
  readonly multiChoice: boolean;
  /** The first chunk id of the loop: the one id the client sees. */
  chunkId: string | undefined;
  /** The usage objects of the iterations before this one, added up. */
  readonly usageBefore: unknown;
}

function hasContent(record: MutableRecord | undefined): boolean {
  if (record === undefined) return false;
  for (const value of Object.values(record)) if (value !== null && value !== undefined) return true;
  return false;
}

/**
 * One upstream stream of a Chat loop. Choice 0's `tool_calls` deltas never reach the client
 * as they come: injected calls are hidden, the client's are held; at choice 0's
 * `finish_reason` the turn is known, and either the held calls are released (one chunk per
 * call, renumbered from 0) with the finish, usage and `[DONE]`, or the finish, usage and
 * `[DONE]` are hidden too and the loop goes on. Iterations after the first carry the first
 * iteration's chunk id. Text chunks of the first iteration go out as they came, unparsed.
 */
export class ChatStreamIteration implements IterationObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  /** The last usage object of this stream, as the upstream wrote it. */
  wireUsage: unknown;

  /** Choice 0's turn: open until its finish_reason (or `[DONE]`) tells. */
  private split: SplitCalls | undefined;
  private readonly calls = new ToolCallAccumulator();
  /** The events' bytes, unparsed: the replay's content is read back only when needed. */
  private readonly events: Buffer[] = [];
  /** Other choices' chunks, while choice 0's turn is open (n > 1). */
  private readonly heldChoices: MutableRecord[] = [];
  /** The chunk id the client sees, when this stream's own differs (iterations after the first). */
  private readonly idRewrite: string | undefined;
  /** The members of a chunk besides choices, for the chunks the codec writes itself. */
  private base: MutableRecord = {};
  private turnValue: Turn | undefined;

  constructor(private readonly loop: ChatLoop) {
    this.idRewrite = loop.chunkId;
  }

  /** True once choice 0 finished with injected calls: the rest of this stream is hidden. */
  get continues(): boolean {
    return this.split !== undefined && this.split.injected.length > 0;
  }

  readonly onEvent = (type: string, event: SseEventView): Buffer | undefined => {
    const raw = event.raw();
    if (isDoneEvent(raw, () => event.data())) return this.onDone(raw);
    this.events.push(raw);
    const mustRead =
      this.idRewrite !== undefined ||
      this.loop.chunkId === undefined ||
      this.loop.multiChoice ||
      chunkNeedsReading(raw);
    if (!mustRead) return this.withoutUsageNull(raw);
    const chunk = mutableRecord(parseJson(event.data()));
    if (chunk === undefined) return undefined;
    return this.onChunk(type, raw, chunk);
  };

  turn(): Turn {
    if (this.turnValue !== undefined) return this.turnValue;
    const { injected, client } = this.settle();
    this.turnValue = {
      injectedCalls: injected.map(neutralCall),
      clientCalls: client.map(neutralCall),
      usage: { ...this.usage },
      replay: injected.length === 0 ? DROP : this.replay(),
    };
    return this.turnValue;
  }

  private settle(): SplitCalls {
    if (this.split === undefined) {
      this.split = splitCalls(this.calls.calls(), this.loop.isInjected);
      if (this.split.injected.length > 0) this.heldChoices.length = 0;
    }
    return this.split;
  }

  private onDone(raw: Buffer): Buffer | undefined {
    this.end ??= 'completed';
    if (this.split === undefined) {
      // A stream whose choice 0 never sent a finish_reason: its turn ends here.
      this.settle();
      if (!this.continues) return this.withReleased(raw, true, undefined);
    }
    return this.continues ? DROP : undefined;
  }

  private onChunk(type: string, raw: Buffer, chunk: MutableRecord): Buffer | undefined {
    const error = mutableRecord(chunk['error']);
    if (error !== undefined) {
      this.end = 'error';
      this.errorMessage = stringField(error, 'message') ?? 'upstream stream error';
      return undefined;
    }
    if (this.loop.chunkId === undefined && typeof chunk['id'] === 'string') {
      this.loop.chunkId = chunk['id'];
    }
    let changed = false;
    if (this.idRewrite !== undefined && chunk['id'] !== this.idRewrite) {
      chunk['id'] = this.idRewrite;
      changed = true;
    }
    const { choices: choicesValue, usage: usageValue, ...base } = chunk;
    this.base = base;
    const usage = mutableRecord(usageValue);
    if (usage !== undefined) {
      applyUsage(this.usage, usage, CHAT_USAGE);
      this.wireUsage = usage;
    }
    const wasOpen = this.split === undefined;
    const choices = Array.isArray(choicesValue) ? choicesValue : undefined;
    const kept = choices === undefined ? undefined : this.choicesToSend(choices);
    if (choices !== undefined && kept !== undefined) {
      if (kept.length !== choices.length || kept.some((choice, i) => choice !== choices[i])) {
        changed = true;
        chunk['choices'] = kept;
        // A chunk that only carried what the loop hides.
        if (kept.length === 0 && usage === undefined) return this.withReleased(DROP, wasOpen);
      }
    }
    if (usage !== undefined) {
      // The usage chunk (no choices) of an answer the client does not see the end of, or
      // that the client did not ask for.
      const hideUsage = this.continues || !this.loop.clientAskedForUsage;
      if (hideUsage && kept?.length === 0) return this.withReleased(DROP, wasOpen);
      if (this.continues) {
        chunk['usage'] = null;
        changed = true;
      } else if (this.loop.clientAskedForUsage && this.loop.usageBefore !== undefined) {
        chunk['usage'] = addUsage(this.loop.usageBefore, usage);
        changed = true;
      }
    }
    const bytes = changed ? this.reframed(type, chunk) : this.withoutUsageNull(raw);
    return this.withReleased(bytes ?? raw, wasOpen, bytes);
  }

  /**
   * The chunk's choices as the client sees them: choice 0 without its tool-call deltas and
   * without a finish that continues the loop; the others as choice 0's turn says.
   */
  private choicesToSend(choices: readonly unknown[]): unknown[] {
    const kept: unknown[] = [];
    for (const value of choices) {
      const choice = mutableRecord(value);
      if (choice === undefined || choice['index'] !== 0) {
        if (this.split === undefined && choice !== undefined) this.heldChoices.push(choice);
        else if (!this.continues) kept.push(value);
        continue;
      }
      const delta = mutableRecord(choice['delta']);
      let edited: MutableRecord | undefined;
      if (delta !== undefined && 'tool_calls' in delta) {
        this.calls.add(delta['tool_calls']);
        const rest = { ...delta };
        delete rest['tool_calls'];
        edited = { ...choice, delta: rest };
      }
      const finish = choice['finish_reason'];
      if (finish !== null && finish !== undefined) {
        this.settle();
        if (this.continues) edited = { ...(edited ?? choice), finish_reason: null };
      }
      if (edited === undefined) {
        kept.push(value);
        continue;
      }
      const emptied =
        !hasContent(mutableRecord(edited['delta'])) &&
        (edited['finish_reason'] ?? null) === null &&
        (edited['logprobs'] ?? null) === null;
      if (!emptied) kept.push(edited);
    }
    return kept;
  }

  /**
   * `bytes` preceded, at the moment choice 0's turn turned out final, by what was held:
   * the other choices' chunks, then the client's calls, one chunk each.
   */
  private withReleased(
    bytes: Buffer,
    wasOpen = true,
    alone: Buffer | undefined = bytes,
  ): Buffer | undefined {
    if (!wasOpen || this.split === undefined || this.continues) return alone;
    const chunks: Buffer[] = [];
    for (const choice of this.heldChoices.splice(0))
      chunks.push(this.written({ choices: [choice] }));
    this.split.client.forEach((call, index) => {
      const delta = { tool_calls: [toolCallWire(call, index)] };
      chunks.push(
        this.written({
          choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
        }),
      );
    });
    if (chunks.length === 0) return alone;
    chunks.push(bytes);
    return Buffer.concat(chunks);
  }

  private written(members: MutableRecord): Buffer {
    const chunk = {
      ...this.base,
      ...members,
      ...(this.loop.clientAskedForUsage ? { usage: null } : {}),
    };
    return formatSseEvent(undefined, JSON.stringify(chunk));
  }

  private reframed(type: string, chunk: MutableRecord): Buffer {
    if (!this.loop.clientAskedForUsage && chunk['usage'] === null) delete chunk['usage'];
    return formatSseEvent(type === '' ? undefined : type, JSON.stringify(chunk));
  }

  /**
   * The upstream adds `"usage":null` to every chunk because the gateway asked for usage;
   * a client that did not ask gets the chunk without it. Edited in the bytes as received,
   * as the plain stream observer does.
   */
  private withoutUsageNull(raw: Buffer): Buffer | undefined {
    if (this.loop.clientAskedForUsage || !mentionsUsage(raw)) return undefined;
    const text = raw.toString();
    const edited = text.replace(USAGE_NULL, '');
    return edited === text ? undefined : Buffer.from(edited);
  }

  /** The assistant message for the next request, read back from this stream's chunks. */
  private replay(): Buffer {
    let content = '';
    let reasoning = '';
    const framer = new SseFramer((_type, event) => {
      const chunk = mutableRecord(parseJson(event.data()));
      const choices = chunk?.['choices'];
      if (!Array.isArray(choices)) return undefined;
      for (const value of choices) {
        const choice = mutableRecord(value);
        if (choice?.['index'] !== 0) continue;
        const delta = mutableRecord(choice['delta']);
        const text = delta?.['content'];
        const thought = delta?.['reasoning_content'];
        if (typeof text === 'string') content += text;
        if (typeof thought === 'string') reasoning += thought;
      }
      return undefined;
    });
    framer.push(Buffer.concat(this.events));
    return replayMessage(content === '' ? null : content, reasoning, this.settle().injected);
  }
}
