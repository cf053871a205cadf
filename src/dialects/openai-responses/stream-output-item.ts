import type { ToolCall } from '../agentic.js';
import { asRecord } from '../json-access.js';
import { scanJson } from '../json-object.js';
import { eventBody, eventData } from './event-fields.js';
import { toolCallOf, type ItemRole } from './output-items.js';

/** An event kept by reference to the bytes the upstream sent (a subarray: no copy). */
export interface HeldEvent {
  /** The event's `event:` line, '' when it had none. */
  readonly type: string;
  readonly raw: Buffer;
}

/**
 * One output item of a streamed answer. Its final form is read only when needed (a
 * continuation, or an answer made of several): from its `output_item.done` event, or
 * failing that from the terminal event's `response.output`, or from `output_item.added`.
 */
export class StreamOutputItem {
  /** Its output_index in the client's stream, once it has one. */
  clientIndex: number | undefined;
  /** A client call's events, until the turn is known. */
  readonly held: HeldEvent[] = [];
  done: Buffer | undefined;
  fromTerminal: unknown;
  private parsed: unknown;

  constructor(
    readonly upstreamIndex: number,
    readonly role: ItemRole,
    private readonly added: unknown,
  ) {}

  value(): unknown {
    if (this.parsed === undefined && this.done !== undefined) {
      this.parsed = eventBody(this.done)?.['item'];
    }
    return this.parsed ?? this.fromTerminal ?? this.added;
  }

  /** The item as JSON, in the upstream's own bytes when they are at hand. */
  bytes(): Buffer {
    if (this.done !== undefined) {
      const scan = scanJson(Buffer.from(eventData(this.done)));
      const member = scan.kind === 'object' ? scan.object.member('item') : undefined;
      if (scan.kind === 'object' && member !== undefined) {
        return scan.object.raw.subarray(member.valueStart, member.valueEnd);
      }
    }
    return Buffer.from(JSON.stringify(this.value()));
  }

  call(): ToolCall {
    return toolCallOf(asRecord(this.value()));
  }
}
