import type { GatewayError } from '../../errors/gateway-error.js';
import { formatSseEvent } from '../../sse/writer.js';
import type { IsInjected, IterationObserver, StreamAssembler, ToolCall, Turn } from '../agentic.js';
import { anthropicErrorObject } from '../error-shapes.js';
import type { JsonRecord } from '../json-access.js';
import { emptyUsage } from '../token-usage.js';
import { replayMessage, toolCall } from './content-blocks.js';
import { AnthropicIteration, type LoopState } from './iteration-observer.js';
import { addUsage } from './loop-usage.js';
import { rebuildBlocks } from './stream-blocks.js';

const EMPTY = Buffer.alloc(0);

/** Rewrites the streamed answers of one loop into one Messages stream. */
export class AnthropicStreamAssembler implements StreamAssembler {
  private current: AnthropicIteration | undefined;
  private readonly loop: LoopState = {
    nextClientIndex: 0,
    priorIterations: 0,
    priorUsage: emptyUsage(),
  };

  constructor(private readonly isInjected: IsInjected) {}

  iteration(): IterationObserver {
    const previous = this.current;
    if (previous?.end === 'completed') {
      this.loop.priorIterations++;
      addUsage(this.loop.priorUsage, previous.usage);
    }
    this.current = new AnthropicIteration(this.loop, this.isInjected);
    return this.current;
  }

  turn(): Turn {
    const iteration = this.current;
    if (iteration === undefined) throw new Error('turn() before any iteration()');
    const tools = iteration.blocks.filter((block) => block.kind !== 'visible');
    if (tools.length === 0) {
      return { injectedCalls: [], clientCalls: [], usage: { ...iteration.usage }, replay: EMPTY };
    }
    const calling = iteration.injectedCount > 0;
    // Text and thinking are decoded only when they go back to the model.
    const rebuilt = rebuildBlocks(iteration.events, (block) => calling || block.kind !== 'visible');
    const injectedCalls: ToolCall[] = [];
    const clientCalls: ToolCall[] = [];
    for (const block of tools) {
      const args = rebuilt.get(block)?.arguments ?? '{}';
      (block.kind === 'injected' ? injectedCalls : clientCalls).push(toolCall(block.start, args));
    }
    const replay = calling
      ? replayMessage(
          iteration.blocks
            .filter((block) => block.kind !== 'client')
            .flatMap((block): JsonRecord[] => {
              const content = rebuilt.get(block)?.content();
              return content === undefined ? [] : [content];
            }),
        )
      : EMPTY;
    return { injectedCalls, clientCalls, usage: { ...iteration.usage }, replay };
  }

  errorEvent(error: GatewayError): Buffer {
    return formatSseEvent('error', JSON.stringify(anthropicErrorObject(error)));
  }
}
