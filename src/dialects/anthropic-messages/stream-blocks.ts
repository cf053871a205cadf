import { SseFramer } from '../../sse/framer.js';
import { asRecord, parseJson, stringField, type JsonRecord } from '../json-access.js';
import type { IndexField } from './block-index.js';
import type { BlockKind } from './content-blocks.js';

/** One content block of a streamed answer, as the iteration tracks it. */
export interface StreamBlock {
  readonly upstreamIndex: number;
  readonly kind: BlockKind;
  /** The content_block of its start event. */
  readonly start: JsonRecord | undefined;
  /** Its events wait for the turn's end instead of reaching the client at once. */
  readonly held: boolean;
  /** Its index in the client's one message, once the client has seen its start. */
  clientIndex: number | undefined;
}

/** A content block event kept by reference to its bytes, for release or a later replay. */
export interface StoredEvent {
  /** content_block_start, content_block_delta or content_block_stop. */
  readonly kind: string;
  /** The `event:` line the upstream wrote ('' without one), kept when re-framing. */
  readonly type: string;
  readonly raw: Buffer;
  readonly block: StreamBlock;
  readonly field: IndexField | undefined;
  /** Its decoded data, when reading its index needed it anyway. */
  readonly data: string | undefined;
}

function dataOf(event: StoredEvent): string {
  if (event.data !== undefined) return event.data;
  let data = '';
  new SseFramer((_type, view) => {
    data = view.data();
    return undefined;
  }).push(event.raw);
  return data;
}

/** A block rebuilt from its start and deltas, as a complete (blocking) answer holds it. */
export class RebuiltBlock {
  private readonly fields: Record<string, unknown>;
  private inputJson: string | undefined;

  constructor(start: JsonRecord | undefined) {
    this.fields = { ...start };
  }

  apply(delta: JsonRecord | undefined): void {
    const f = this.fields;
    switch (stringField(delta, 'type')) {
      case 'text_delta':
        f['text'] = `${stringField(f, 'text') ?? ''}${stringField(delta, 'text') ?? ''}`;
        break;
      case 'thinking_delta':
        f['thinking'] =
          `${stringField(f, 'thinking') ?? ''}${stringField(delta, 'thinking') ?? ''}`;
        break;
      case 'signature_delta':
        f['signature'] = stringField(delta, 'signature') ?? '';
        break;
      case 'citations_delta': {
        const citations = Array.isArray(f['citations']) ? (f['citations'] as unknown[]) : [];
        f['citations'] = [...citations, delta?.['citation']];
        break;
      }
      case 'input_json_delta':
        this.inputJson = (this.inputJson ?? '') + (stringField(delta, 'partial_json') ?? '');
        break;
    }
  }

  /** The call's arguments as the model wrote them; `{}` for a call without any. */
  get arguments(): string {
    if (this.inputJson !== undefined && this.inputJson !== '') return this.inputJson;
    return JSON.stringify(this.fields['input'] ?? {});
  }

  content(): JsonRecord {
    if (this.inputJson === undefined) return this.fields;
    // Arguments cut short (max_tokens) are not an object the API would take back.
    const input = this.inputJson === '' ? {} : (asRecord(parseJson(this.inputJson)) ?? {});
    return { ...this.fields, input };
  }
}

/** Rebuilds the blocks `wanted` picks from the iteration's stored events, in stream order. */
export function rebuildBlocks(
  events: readonly StoredEvent[],
  wanted: (block: StreamBlock) => boolean,
): Map<StreamBlock, RebuiltBlock> {
  const blocks = new Map<StreamBlock, RebuiltBlock>();
  for (const event of events) {
    if (!wanted(event.block)) continue;
    if (event.kind === 'content_block_start') {
      blocks.set(event.block, new RebuiltBlock(event.block.start));
    } else if (event.kind === 'content_block_delta') {
      blocks.get(event.block)?.apply(asRecord(asRecord(parseJson(dataOf(event)))?.['delta']));
    }
  }
  return blocks;
}
