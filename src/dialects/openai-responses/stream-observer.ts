import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { openaiErrorObject } from '../error-shapes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { StreamObserver } from '../dialect.js';
import { asRecord, parseJson, stringField } from '../json-access.js';
import { applyUsage } from '../usage-fields.js';
import { RESPONSES_USAGE } from './usage.js';

const SEQUENCE = /"sequence_number"\s*:\s*(\d+)/;

/**
 * Reads usage and the end of a Responses stream, and remembers the last sequence number so
 * an error event the gateway has to add continues the numbering.
 */
export class ResponsesStreamObserver implements StreamObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  lastSequenceNumber = -1;

  /** Responses streams carry their own error event type, numbered after the last event. */
  errorEvent(error: GatewayError): Buffer {
    const { error: body } = openaiErrorObject(error);
    return formatSseEvent(
      'error',
      JSON.stringify({
        type: 'error',
        code: body.code ?? body.type,
        message: body.message,
        param: null,
        sequence_number: this.lastSequenceNumber + 1,
      }),
    );
  }

  readonly onEvent = (type: string, event: SseEventView): undefined => {
    const data = event.data();
    const sequence = SEQUENCE.exec(data);
    if (sequence?.[1] !== undefined) this.lastSequenceNumber = Number(sequence[1]);
    switch (type === '' ? stringField(asRecord(parseJson(data)), 'type') : type) {
      case 'response.completed':
      case 'response.incomplete':
        applyUsage(this.usage, this.responseUsage(data), RESPONSES_USAGE);
        this.end ??= 'completed';
        break;
      case 'response.failed': {
        const response = asRecord(asRecord(parseJson(data))?.['response']);
        applyUsage(this.usage, asRecord(response?.['usage']), RESPONSES_USAGE);
        this.end = 'error';
        this.errorMessage =
          stringField(asRecord(response?.['error']), 'message') ?? 'response failed';
        break;
      }
      case 'error':
        this.end = 'error';
        this.errorMessage =
          stringField(asRecord(parseJson(data)), 'message') ?? 'upstream stream error';
        break;
    }
    return undefined;
  };

  private responseUsage(data: string): ReturnType<typeof asRecord> {
    return asRecord(asRecord(asRecord(parseJson(data))?.['response'])?.['usage']);
  }
}
