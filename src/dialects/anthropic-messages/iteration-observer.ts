import type { IsInjected, IterationObserver } from '../agentic.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import { asRecord, parseJson, stringField, type JsonRecord } from '../json-access.js';
import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { applyUsage } from '../usage-fields.js';
import { decodedIndex, findIndexField, withIndex } from './block-index.js';
import { blockKind } from './content-blocks.js';
import { sumUsage, withLoopUsage } from './loop-usage.js';
import type { StoredEvent, StreamBlock } from './stream-blocks.js';
import { ANTHROPIC_USAGE } from './usage.js';

const EMPTY = Buffer.alloc(0);

/** What the iterations of one loop share; the assembler moves it on between iterations. */
export interface LoopState {
  /** The index the next block the client sees takes in its one message. */
  nextClientIndex: number;
  /** How many iterations completed before the current one, and their usage summed. */
  priorIterations: number;
  readonly priorUsage: TokenUsage;
}

/**
 * One upstream stream of the loop. Blocks reach the client as they stream, renumbered to
 * follow the blocks of earlier iterations; calls of injected tools are hidden; the client's
 * own calls wait for message_delta, where the turn is known: released when it is final,
 * dropped when it called injected tools. Blocks after a client call wait behind it, so the
 * client sees them in the order the model wrote them.
 */
export class AnthropicIteration implements IterationObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  /** Every content block event, for rebuilding tool calls and the replay. */
  readonly events: StoredEvent[] = [];
  readonly blocks: StreamBlock[] = [];
  private readonly byIndex = new Map<number, StreamBlock>();
  private pending: StoredEvent[] = [];
  private holding = false;
  private settled = false;
  private injected = 0;

  constructor(
    private readonly loop: LoopState,
    private readonly isInjected: IsInjected,
  ) {}

  get injectedCount(): number {
    return this.injected;
  }

  readonly onEvent = (type: string, event: SseEventView): Buffer | undefined => {
    // Anthropic names every event; the data's own type covers an upstream that does not.
    const kind =
      type !== '' ? type : (stringField(asRecord(parseJson(event.data())), 'type') ?? '');
    switch (kind) {
      case 'message_start':
        return this.messageStart(event);
      case 'content_block_start':
      case 'content_block_delta':
      case 'content_block_stop':
        return this.blockEvent(kind, type, event);
      case 'message_delta':
        return this.messageDelta(type, event);
      case 'message_stop':
        this.end ??= 'completed';
        return this.settle(undefined, event.raw());
      case 'error': {
        this.end = 'error';
        const error = asRecord(asRecord(parseJson(event.data()))?.['error']);
        this.errorMessage = stringField(error, 'message') ?? 'upstream stream error';
        return undefined;
      }
      default:
        return undefined;
    }
  };

  private messageStart(event: SseEventView): Buffer | undefined {
    const message = asRecord(asRecord(parseJson(event.data()))?.['message']);
    applyUsage(this.usage, asRecord(message?.['usage']), ANTHROPIC_USAGE);
    // The client's one message started with the first iteration.
    return this.loop.priorIterations === 0 ? undefined : EMPTY;
  }

  private blockEvent(kind: string, type: string, event: SseEventView): Buffer | undefined {
    const raw = event.raw();
    const field = findIndexField(raw);
    let data: string | undefined;
    let start: JsonRecord | undefined;
    let index = field?.value;
    if (kind === 'content_block_start') {
      data = event.data();
      const parsed = asRecord(parseJson(data));
      start = asRecord(parsed?.['content_block']);
      if (index === undefined) index = decodedIndex(data);
    } else if (index === undefined) {
      data = event.data();
      index = decodedIndex(data);
    }
    if (index === undefined) return undefined;
    let block = this.byIndex.get(index);
    if (kind === 'content_block_start') {
      block = this.startBlock(index, start);
    }
    // An event of a block that never started cannot be placed: it goes as it came.
    if (block === undefined) return undefined;
    const stored: StoredEvent = {
      kind,
      type,
      raw,
      block,
      field,
      data: field === undefined ? data : undefined,
    };
    this.events.push(stored);
    if (block.kind === 'injected') return EMPTY;
    if (block.kind === 'client' && this.settled && this.injected > 0) return EMPTY;
    if (block.held && !this.settled) {
      this.pending.push(stored);
      return EMPTY;
    }
    return this.emit(stored);
  }

  private startBlock(index: number, start: JsonRecord | undefined): StreamBlock {
    const kind = blockKind(start, this.isInjected);
    if (kind === 'injected') this.injected++;
    if (kind === 'client') this.holding = true;
    const block: StreamBlock = {
      upstreamIndex: index,
      kind,
      start,
      held: kind === 'client' || (kind === 'visible' && this.holding),
      clientIndex: undefined,
    };
    this.byIndex.set(index, block);
    this.blocks.push(block);
    return block;
  }

  /** The event as the client sees it: undefined when its index needs no change. */
  private emit(event: StoredEvent): Buffer | undefined {
    const block = event.block;
    if (block.clientIndex === undefined) block.clientIndex = this.loop.nextClientIndex++;
    if (block.clientIndex === block.upstreamIndex) return undefined;
    return withIndex(event.type, event.raw, event.field, event.data, block.clientIndex);
  }

  private messageDelta(type: string, event: SseEventView): Buffer | undefined {
    const delta = asRecord(parseJson(event.data()));
    const usage = asRecord(delta?.['usage']);
    applyUsage(this.usage, usage, ANTHROPIC_USAGE);
    let replacement: Buffer | undefined;
    if (this.injected === 0 && this.loop.priorIterations > 0 && delta !== undefined) {
      // The SDK's finalMessage() takes these counts from the last message_delta.
      const sum = sumUsage(this.loop.priorUsage, this.usage);
      replacement = formatSseEvent(
        type === '' ? undefined : type,
        JSON.stringify({ ...delta, usage: withLoopUsage(usage, sum) }),
      );
    }
    return this.settle(replacement, event.raw());
  }

  /**
   * The turn is known: held blocks go out (the client's calls only when the turn is final),
   * then the closing event (message_delta or message_stop, `replacement` when rewritten),
   * which a turn that called injected tools hides. Undefined forwards the closing event as
   * it came when nothing goes with it.
   */
  private settle(replacement: Buffer | undefined, raw: Buffer): Buffer | undefined {
    const final = this.injected === 0;
    const out: Buffer[] = [];
    if (!this.settled) {
      this.settled = true;
      for (const event of this.pending) {
        if (event.block.kind === 'client' && !final) continue;
        out.push(this.emit(event) ?? event.raw);
      }
      this.pending = [];
    }
    if (!final) return Buffer.concat(out);
    if (out.length === 0) return replacement;
    out.push(replacement ?? raw);
    return Buffer.concat(out);
  }
}
