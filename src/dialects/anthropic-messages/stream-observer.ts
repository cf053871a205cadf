import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { anthropicErrorObject } from '../error-shapes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { StreamObserver } from '../dialect.js';
import { asRecord, parseJson, stringField } from '../json-access.js';
import { TextCollector } from '../bounded-text.js';
import { applyOtherUsage, applyUsage } from '../usage-fields.js';
import { ANTHROPIC_USAGE } from './usage.js';

const THINKING_DELTA = '"thinking_delta"';

/**
 * Reads usage and the end of a Messages stream. Only message_start, message_delta and error
 * carry anything we need, so the data of the many content_block_delta events is never
 * decoded — unless thoughts are collected, and then only the thinking deltas.
 */
export class AnthropicStreamObserver implements StreamObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  private readonly other: Record<string, number> = {};
  private readonly thinking: TextCollector | undefined;

  constructor(collectThoughts = false) {
    this.thinking = collectThoughts ? new TextCollector() : undefined;
  }

  otherUsage(): Record<string, number> | undefined {
    return Object.keys(this.other).length === 0 ? undefined : { ...this.other };
  }

  thoughts(): string | undefined {
    return this.thinking?.text();
  }

  errorEvent(error: GatewayError): Buffer {
    return formatSseEvent('error', JSON.stringify(anthropicErrorObject(error)));
  }

  readonly onEvent = (type: string, event: SseEventView): undefined => {
    switch (type) {
      case 'message_start': {
        const message = asRecord(asRecord(parseJson(event.data()))?.['message']);
        const usage = asRecord(message?.['usage']);
        applyUsage(this.usage, usage, ANTHROPIC_USAGE);
        applyOtherUsage(this.other, usage, ANTHROPIC_USAGE);
        break;
      }
      case 'message_delta': {
        const usage = asRecord(asRecord(parseJson(event.data()))?.['usage']);
        applyUsage(this.usage, usage, ANTHROPIC_USAGE);
        applyOtherUsage(this.other, usage, ANTHROPIC_USAGE);
        break;
      }
      case 'content_block_start':
        this.thinking?.separate();
        break;
      case 'content_block_delta': {
        if (this.thinking === undefined) break;
        const data = event.data();
        if (!data.includes(THINKING_DELTA)) break;
        const delta = asRecord(asRecord(parseJson(data))?.['delta']);
        if (stringField(delta, 'type') === 'thinking_delta')
          this.thinking.add(stringField(delta, 'thinking') ?? '');
        break;
      }
      case 'message_stop':
        this.end ??= 'completed';
        break;
      case 'error': {
        this.end = 'error';
        const error = asRecord(asRecord(parseJson(event.data()))?.['error']);
        this.errorMessage = stringField(error, 'message') ?? 'upstream stream error';
        break;
      }
    }
    return undefined;
  };
}
