import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { openaiErrorObject } from '../error-shapes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { StreamObserver } from '../dialect.js';
import { asRecord, parseJson, stringField, type JsonRecord } from '../json-access.js';
import { applyOtherUsage, applyUsage } from '../usage-fields.js';
import { reasoningOfOutput } from './texts.js';
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
  private readonly other: Record<string, number> = {};
  private reasoning: string | undefined;

  /** Thoughts are read from the final response's output, which holds every reasoning item. */
  constructor(private readonly collectThoughts = false) {}

  otherUsage(): Record<string, number> | undefined {
    return Object.keys(this.other).length === 0 ? undefined : { ...this.other };
  }

  thoughts(): string | undefined {
    return this.reasoning;
  }

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
      case 'response.incomplete': {
        const response = asRecord(asRecord(parseJson(data))?.['response']);
        this.applyResponse(response);
        this.end ??= 'completed';
        break;
      }
      case 'response.failed': {
        const response = asRecord(asRecord(parseJson(data))?.['response']);
        this.applyResponse(response);
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

  private applyResponse(response: JsonRecord | undefined): void {
    const usage = asRecord(response?.['usage']);
    applyUsage(this.usage, usage, RESPONSES_USAGE);
    applyOtherUsage(this.other, usage, RESPONSES_USAGE);
    if (this.collectThoughts) this.reasoning = reasoningOfOutput(response?.['output']);
  }
}
