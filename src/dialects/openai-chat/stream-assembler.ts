import type { IsInjected, IterationObserver, StreamAssembler, Turn } from '../agentic.js';
import type { BridgeRequest } from '../dialect.js';
import { openaiErrorObject } from '../error-shapes.js';
import { asRecord } from '../json-access.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import { formatSseEvent } from '../../sse/writer.js';
import { ChatStreamIteration, type ChatLoop } from './stream-iteration.js';
import { addUsage } from './usage-sum.js';

/**
 * The streamed answers of one Chat loop as one completion: one chunk id, the text of
 * every iteration, the client's own calls of the final turn indexed from 0, usage summed
 * over the loop in the final usage chunk, one `[DONE]`.
 */
export class ChatStreamAssembler implements StreamAssembler {
  private readonly isInjected: IsInjected;
  private readonly clientAskedForUsage: boolean;
  private readonly multiChoice: boolean;
  private chunkId: string | undefined;
  private usageBefore: unknown;
  private current: ChatStreamIteration | undefined;
  private loop: ChatLoop | undefined;

  constructor(isInjected: IsInjected, request: BridgeRequest) {
    this.isInjected = isInjected;
    this.clientAskedForUsage =
      asRecord(request.body.value('stream_options'))?.['include_usage'] === true;
    const n = request.body.value('n');
    this.multiChoice = typeof n === 'number' && n > 1;
  }

  iteration(): IterationObserver {
    const previous = this.current;
    if (previous !== undefined) {
      this.chunkId ??= this.loop?.chunkId;
      // Only an answer the client did not receive the end of counts towards the final usage.
      if (previous.continues) this.usageBefore = addUsage(this.usageBefore, previous.wireUsage);
    }
    this.loop = {
      isInjected: this.isInjected,
      clientAskedForUsage: this.clientAskedForUsage,
      multiChoice: this.multiChoice,
      chunkId: this.chunkId,
      usageBefore: this.usageBefore,
    };
    this.current = new ChatStreamIteration(this.loop);
    return this.current;
  }

  turn(): Turn {
    if (this.current === undefined) throw new Error('turn() before any iteration()');
    return this.current.turn();
  }

  errorEvent(error: GatewayError): Buffer {
    return formatSseEvent(undefined, JSON.stringify(openaiErrorObject(error)));
  }
}
