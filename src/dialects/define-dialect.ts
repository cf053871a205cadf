import type { AgenticCodec } from './agentic.js';
import type {
  ApiFamily,
  BridgeRequest,
  Dialect,
  DialectId,
  StreamObserver,
  StreamObserverOptions,
} from './dialect.js';
import type { JsonObjectText, Splice } from './json-object.js';
import { toolsSplice, type ToolEncoding } from './tool-injection.js';
import { otherUsageReader, usageReader, type UsageFields } from './usage-fields.js';

interface DialectSpec {
  readonly id: DialectId;
  readonly family: ApiFamily;
  readonly usage: UsageFields;
  readonly tools: ToolEncoding;
  readonly agentic?: AgenticCodec;
  readonly observeStream: (
    request: BridgeRequest | undefined,
    options: StreamObserverOptions,
  ) => StreamObserver;
  readonly promptOf: (body: JsonObjectText) => string | undefined;
  readonly thoughtsOf: (answer: JsonObjectText) => string | undefined;
  /** The dialect's own edits of the client's body, if any; none by default. */
  readonly edits?: (request: BridgeRequest) => readonly Splice[];
}

export function defineDialect(spec: DialectSpec): Dialect {
  const edits = spec.edits ?? (() => []);
  return {
    id: spec.id,
    family: spec.family,
    upstreamBody(request, injectedTools) {
      const splices = [...edits(request)];
      const tools =
        injectedTools === undefined ? undefined : toolsSplice(request.body, injectedTools);
      if (tools !== undefined) splices.push(tools);
      return splices.length === 0 ? request.raw : request.body.spliced(splices);
    },
    observeStream: (request, options = {}) => spec.observeStream(request, options),
    usageOf: usageReader(spec.usage),
    otherUsageOf: otherUsageReader(spec.usage),
    promptOf: spec.promptOf,
    thoughtsOf: spec.thoughtsOf,
    tools: spec.tools,
    agentic: spec.agentic,
  };
}
