import { emptyUsage, type TokenUsage } from '../token-usage.js';
import { openaiErrorObject } from '../error-shapes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { SseEventView } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { StreamObserver } from '../dialect.js';
import { asRecord, parseJson, stringField } from '../json-access.js';
import { TextCollector } from '../bounded-text.js';
import { applyOtherUsage, applyUsage } from '../usage-fields.js';
import { chatReasoningText } from './texts.js';
import { CHAT_USAGE } from './usage.js';

const DROP = Buffer.alloc(0);
const USAGE_NULL = /,\s*"usage"\s*:\s*null(?=\s*[,}])|"usage"\s*:\s*null\s*,?/;

/**
 * Reads usage, errors and the end of a Chat Completions stream. Only `[DONE]` ends it: a
 * stream cut after the last `finish_reason` has not yet sent its usage chunk, and a client
 * would take it for a complete answer. The gateway always asks
 * the upstream for usage; when the client did not, the extra usage chunk is dropped and
 * the `"usage":null` the upstream then adds to every chunk is taken out again, so the
 * client receives exactly what it would have received without us.
 */
export class ChatStreamObserver implements StreamObserver {
  end: 'completed' | 'error' | undefined;
  errorMessage: string | undefined;
  readonly usage: TokenUsage = emptyUsage();
  private readonly other: Record<string, number> = {};
  private readonly reasoning: TextCollector | undefined;

  constructor(
    private readonly clientAskedForUsage: boolean,
    collectThoughts = false,
  ) {
    this.reasoning = collectThoughts ? new TextCollector() : undefined;
  }

  otherUsage(): Record<string, number> | undefined {
    return Object.keys(this.other).length === 0 ? undefined : { ...this.other };
  }

  thoughts(): string | undefined {
    return this.reasoning?.text();
  }

  errorEvent(error: GatewayError): Buffer {
    return formatSseEvent(undefined, JSON.stringify(openaiErrorObject(error)));
  }

  readonly onEvent = (_type: string, event: SseEventView): Buffer | undefined => {
    const data = event.data();
    if (data === '[DONE]') {
      this.end ??= 'completed';
      return undefined;
    }
    const chunk = asRecord(parseJson(data));
    if (chunk === undefined) return undefined;
    const error = asRecord(chunk['error']);
    if (error !== undefined) {
      this.end = 'error';
      this.errorMessage = stringField(error, 'message') ?? 'upstream stream error';
      return undefined;
    }
    const usage = asRecord(chunk['usage']);
    applyUsage(this.usage, usage, CHAT_USAGE);
    applyOtherUsage(this.other, usage, CHAT_USAGE);
    const choices = chunk['choices'];
    if (this.reasoning !== undefined && Array.isArray(choices)) {
      const delta = asRecord(asRecord(choices[0])?.['delta']);
      const text = chatReasoningText(delta);
      if (text !== undefined) this.reasoning.add(text);
    }
    if (this.clientAskedForUsage || !('usage' in chunk)) return undefined;
    if (usage !== undefined && Array.isArray(choices) && choices.length === 0) return DROP;
    if (chunk['usage'] === null) {
      // Edited in the bytes as received, so that id: lines and multi-line data survive.
      const raw = event.raw().toString();
      const edited = raw.replace(USAGE_NULL, '');
      return edited === raw ? undefined : Buffer.from(edited);
    }
    return undefined;
  };
}
