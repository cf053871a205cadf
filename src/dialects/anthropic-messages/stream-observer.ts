import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { anthropicErrorObject } from '../error-shapes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { StreamObserver } from '../dialect.js';
import { asRecord, parseJson, stringField } from '../json-access.js';
import { applyUsage } from '../usage-fields.js';
import { ANTHROPIC_USAGE } from './usage.js';

/**
 * Reads usage and the end of a Messages stream. Only message_start, message_delta and error
 * carry anything we need, so the data of the many content_block_delta events is never decoded.
 */
export class AnthropicStreamObserver implements StreamObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();

  errorEvent(error: GatewayError): Buffer {
    return formatSseEvent('error', JSON.stringify(anthropicErrorObject(error)));
  }

  readonly onEvent = (type: string, event: SseEventView): undefined => {
    switch (type) {
      case 'message_start': {
        const message = asRecord(asRecord(parseJson(event.data()))?.['message']);
        applyUsage(this.usage, asRecord(message?.['usage']), ANTHROPIC_USAGE);
        break;
      }
      case 'message_delta':
        applyUsage(
          this.usage,
          asRecord(asRecord(parseJson(event.data()))?.['usage']),
          ANTHROPIC_USAGE,
        );
        break;
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
