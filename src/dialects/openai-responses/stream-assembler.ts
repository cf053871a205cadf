import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { IsInjected, IterationObserver, StreamAssembler, Turn } from '../agentic.js';
import { openaiErrorObject } from '../error-shapes.js';
import { asRecord, parseJson, stringField, type JsonRecord } from '../json-access.js';
import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { applyUsage } from '../usage-fields.js';
import { eventBody, eventNumbers, type EventNumbers } from './event-fields.js';
import { itemRole, outputTextOf } from './output-items.js';
import { StreamOutputItem, type HeldEvent } from './stream-output-item.js';
import { summedUsage } from './usage-sum.js';
import { RESPONSES_USAGE } from './usage.js';

const EMPTY = Buffer.alloc(0);

/**
 * The streamed Responses answers of one loop as one response for the client: one
 * response.created … response.completed, sequence_number consecutive from 0, output_index
 * consecutive over every visible item of every iteration.
 *
 * It commits late: the stream's head (response.created, response.in_progress) is held
 * until the client is first shown something, so an iteration that starts with an
 * injected call has sent nothing, and a continuation that fails before anything was
 * shown can still be answered with an HTTP status. Events pass untouched (`undefined`)
 * while the client's numbering is still the upstream's, which is all of a plain answer.
 */
export class ResponsesStreamAssembler implements StreamAssembler {
  private nextSequence = 0;
  private nextIndex = 0;
  /** Held until the client is first sent something; undefined once released. */
  private head: HeldEvent[] | undefined = [];
  /** The response.created the client sees: its response id is the loop's. */
  private created: HeldEvent | undefined;
  private createdBy: object | undefined;
  private responseId: string | undefined;
  /** Every item the client was shown, in its order. */
  private readonly shown: StreamOutputItem[] = [];
  /** The `usage` of each iteration that reached its terminal event. */
  private readonly usages: unknown[] = [];
  /** The client's stream is still the upstream's own: nothing hidden, moved or renumbered. */
  private verbatim = true;
  private iterations = 0;
  private current: ResponsesIteration | undefined;

  constructor(private readonly isInjected: IsInjected) {}

  iteration(): IterationObserver {
    if (++this.iterations > 1) this.verbatim = false;
    this.current = new ResponsesIteration(this, this.isInjected);
    return this.current;
  }

  turn(): Turn {
    if (this.current === undefined) throw new Error('turn() before any iteration()');
    const turn = this.current.turn();
    if (turn.injectedCalls.length > 0 && this.head !== undefined) {
      // Nothing was shown yet: the client's response becomes the next one, whose id the
      // provider stores with the whole conversation, so `store: true` can chain on it.
      this.head = [];
      this.created = undefined;
      this.createdBy = undefined;
      this.responseId = undefined;
    }
    return turn;
  }

  errorEvent(error: GatewayError): Buffer {
    const { error: body } = openaiErrorObject(error);
    return formatSseEvent(
      'error',
      JSON.stringify({
        type: 'error',
        code: body.code ?? body.type,
        message: body.message,
        param: null,
        sequence_number: this.nextSequence++,
      }),
    );
  }

  /**
   * response.created / in_progress / queued: those of the first response go to the head,
   * those of every later one nowhere (the client has its response already).
   */
  lifecycle(event: HeldEvent, type: string, iteration: object): Buffer | undefined {
    if (type === 'response.created' && this.created === undefined) {
      this.created = event;
      this.createdBy = iteration;
    } else if (type === 'response.created' || this.createdBy !== iteration) {
      return EMPTY;
    }
    if (this.head === undefined) return this.send(event);
    this.head.push(event);
    return EMPTY;
  }

  /** An event that belongs to no item: held with the head, or sent. */
  other(event: HeldEvent, numbers?: EventNumbers): Buffer | undefined {
    if (this.head === undefined) return this.send(event, undefined, numbers);
    this.head.push(event);
    return EMPTY;
  }

  /** Something of the upstream's stream is not shown where the upstream put it. */
  altered(): void {
    this.verbatim = false;
  }

  /** Gives an item the next client output_index. */
  show(item: StreamOutputItem): number {
    const index = this.nextIndex++;
    if (index !== item.upstreamIndex) this.verbatim = false;
    this.shown.push(item);
    return index;
  }

  /**
   * While the client's stream is the upstream's and the client has its head, an event of
   * an item it sees can go out as it is, without reading it: the upstream numbers its
   * events consecutively from 0, and so does the client's counter.
   */
  passesThrough(): boolean {
    return this.verbatim && this.head === undefined;
  }

  passThrough(): void {
    this.nextSequence++;
  }

  /** An iteration's usage, for the sum the last terminal event reports. */
  addUsage(usage: unknown): void {
    this.usages.push(usage);
  }

  /**
   * The bytes that show the client `event` (renumbered to the client's stream), preceded by
   * the head when this is the first thing the client sees; undefined for the event as is.
   */
  send(event: HeldEvent, clientIndex?: number, numbers?: EventNumbers): Buffer | undefined {
    const released = this.releaseHead();
    const bytes = this.numbered(event, clientIndex, numbers);
    if (released.length === 0) return bytes;
    released.push(bytes ?? event.raw);
    return Buffer.concat(released);
  }

  /**
   * A terminal event (response.completed / incomplete / failed). Unless the client's stream
   * is still the upstream's, its response becomes the loop's: the client's id, the items
   * the client was shown, usage summed over the loop.
   */
  sendTerminal(event: HeldEvent, body: JsonRecord | undefined): Buffer | undefined {
    const released = this.releaseHead();
    const sequence = this.nextSequence++;
    let bytes: Buffer | undefined;
    if (this.verbatim && body?.['sequence_number'] === sequence) {
      bytes = undefined;
    } else if (body === undefined) {
      bytes = event.raw;
    } else {
      const response: Record<string, unknown> = { ...asRecord(body['response']) };
      const id = this.clientResponseId();
      if (id !== undefined) response['id'] = id;
      const output = this.shown.map((item) => item.value());
      response['output'] = output;
      const usage = summedUsage(this.usages);
      if (usage !== undefined) response['usage'] = usage;
      if ('output_text' in response) response['output_text'] = outputTextOf(output);
      bytes = encode(event, { ...body, response, sequence_number: sequence });
    }
    if (released.length === 0) return bytes;
    released.push(bytes ?? event.raw);
    return Buffer.concat(released);
  }

  private releaseHead(): Buffer[] {
    const head = this.head;
    if (head === undefined) return [];
    this.head = undefined;
    return head.map((event) => this.numbered(event) ?? event.raw);
  }

  private numbered(
    event: HeldEvent,
    clientIndex?: number,
    numbers = eventNumbers(event.raw),
  ): Buffer | undefined {
    const sequence = this.nextSequence++;
    if (
      numbers.sequence === sequence &&
      (clientIndex === undefined || numbers.outputIndex === clientIndex)
    ) {
      return undefined;
    }
    this.verbatim = false;
    const body = eventBody(event.raw);
    // Not JSON: nothing to renumber, and the client's parser fails on it either way.
    if (body === undefined) return event.raw;
    return encode(event, {
      ...body,
      ...(clientIndex === undefined ? {} : { output_index: clientIndex }),
      sequence_number: sequence,
    });
  }

  private clientResponseId(): string | undefined {
    if (this.responseId === undefined && this.created !== undefined) {
      this.responseId = stringField(asRecord(eventBody(this.created.raw)?.['response']), 'id');
    }
    return this.responseId;
  }
}

function bodyOf(view: SseEventView): JsonRecord | undefined {
  return asRecord(parseJson(view.data()));
}

function encode(event: HeldEvent, body: Record<string, unknown>): Buffer {
  return formatSseEvent(event.type === '' ? undefined : event.type, JSON.stringify(body));
}

/** One upstream stream of the loop. */
class ResponsesIteration implements IterationObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  /** By upstream output_index. */
  private readonly items = new Map<number, StreamOutputItem>();
  /** Its answer went to the client as the loop's last. */
  private final = false;
  /** Nothing of it held or hidden so far: its events may pass unread. */
  private plain = true;

  constructor(
    private readonly loop: ResponsesStreamAssembler,
    private readonly isInjected: IsInjected,
  ) {}

  readonly onEvent = (type: string, view: SseEventView): Buffer | undefined => {
    const data = type === '' ? asRecord(parseJson(view.data())) : undefined;
    const name = type !== '' ? type : stringField(data, 'type');
    switch (name) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        return this.loop.lifecycle({ type, raw: view.raw() }, name, this);
      case 'response.output_item.added':
        return this.added({ type, raw: view.raw() }, data ?? bodyOf(view));
      case 'response.completed':
      case 'response.incomplete':
        return this.completed(
          { type, raw: view.raw() },
          data ?? bodyOf(view),
          name === 'response.completed',
        );
      case 'response.failed':
        return this.failed({ type, raw: view.raw() }, data ?? bodyOf(view));
      case 'error':
        this.end = 'error';
        this.errorMessage = stringField(data ?? bodyOf(view), 'message') ?? 'upstream stream error';
        return this.loop.send({ type, raw: view.raw() });
    }
    // The hot path: a plain answer's deltas. Item ends are read: the item may be needed.
    if (this.plain && name !== 'response.output_item.done' && this.loop.passesThrough()) {
      this.loop.passThrough();
      return undefined;
    }
    const event: HeldEvent = { type, raw: view.raw() };
    const numbers = eventNumbers(event.raw);
    const index = numbers.outputIndex;
    const item = index === undefined ? undefined : this.items.get(index);
    if (item === undefined) return this.loop.other(event, numbers);
    if (name === 'response.output_item.done') item.done = event.raw;
    switch (item.role) {
      case 'injected':
        return EMPTY;
      case 'client':
        item.held.push(event);
        return EMPTY;
      case 'visible':
        return this.loop.send(event, item.clientIndex, numbers);
    }
  };

  private added(event: HeldEvent, body: JsonRecord | undefined): Buffer | undefined {
    const index = body?.['output_index'];
    if (typeof index !== 'number') return this.loop.other(event);
    const value = body?.['item'];
    const item = new StreamOutputItem(index, itemRole(asRecord(value), this.isInjected), value);
    this.items.set(index, item);
    if (item.role !== 'visible') this.plain = false;
    switch (item.role) {
      case 'injected':
        this.loop.altered();
        return EMPTY;
      case 'client':
        item.held.push(event);
        return EMPTY;
      case 'visible':
        item.clientIndex = this.loop.show(item);
        return this.loop.send(event, item.clientIndex, {
          sequence:
            typeof body?.['sequence_number'] === 'number' ? body['sequence_number'] : undefined,
          outputIndex: index,
        });
    }
  }

  private terminalResponse(body: JsonRecord | undefined): JsonRecord | undefined {
    const response = asRecord(body?.['response']);
    const usage = response?.['usage'];
    applyUsage(this.usage, asRecord(usage), RESPONSES_USAGE);
    this.loop.addUsage(usage);
    const output = response?.['output'];
    if (Array.isArray(output)) {
      for (const item of this.items.values()) item.fromTerminal = output[item.upstreamIndex];
    }
    return response;
  }

  /**
   * A completed answer that called injected tools is hidden, and so are the client's calls
   * it held; otherwise (and always for an incomplete one) it is the loop's last answer:
   * the client's calls are released, then the terminal event.
   */
  private completed(
    event: HeldEvent,
    body: JsonRecord | undefined,
    completed: boolean,
  ): Buffer | undefined {
    this.terminalResponse(body);
    this.end = 'completed';
    const items = this.ordered();
    const injected = items.some((item) => item.role === 'injected');
    if (completed && injected) {
      this.loop.altered();
      return EMPTY;
    }
    this.final = true;
    const parts: Buffer[] = [];
    for (const item of items) {
      if (item.role !== 'client') continue;
      item.clientIndex = this.loop.show(item);
      for (const held of item.held) parts.push(this.loop.send(held, item.clientIndex) ?? held.raw);
    }
    const terminal = this.loop.sendTerminal(event, body);
    if (parts.length === 0) return terminal;
    parts.push(terminal ?? event.raw);
    return Buffer.concat(parts);
  }

  /** The client's held calls are dropped: the answer they belonged to failed. */
  private failed(event: HeldEvent, body: JsonRecord | undefined): Buffer | undefined {
    const response = this.terminalResponse(body);
    this.end = 'error';
    this.errorMessage = stringField(asRecord(response?.['error']), 'message') ?? 'response failed';
    if (this.ordered().some((item) => item.role === 'client')) this.loop.altered();
    return this.loop.sendTerminal(event, body);
  }

  private ordered(): StreamOutputItem[] {
    return [...this.items.values()].sort((a, b) => a.upstreamIndex - b.upstreamIndex);
  }

  turn(): Turn {
    const items = this.ordered();
    const calls = (role: StreamOutputItem['role']) =>
      items.filter((item) => item.role === role).map((item) => item.call());
    let replay: Buffer | undefined;
    return {
      injectedCalls: this.final ? [] : calls('injected'),
      clientCalls: calls('client'),
      usage: { ...this.usage },
      get replay() {
        return (replay ??= replayOf(items));
      },
    };
  }
}

/** The answer's items but the client's calls, as a JSON array of input items. */
function replayOf(items: readonly StreamOutputItem[]): Buffer {
  const parts: Buffer[] = [Buffer.from('[')];
  for (const item of items) {
    if (item.role === 'client') continue;
    if (parts.length > 1) parts.push(Buffer.from(','));
    parts.push(item.bytes());
  }
  parts.push(Buffer.from(']'));
  return Buffer.concat(parts);
}
