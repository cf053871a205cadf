import type { Caller } from '../auth/caller.js';
import type { BreakerPass } from '../breaker/circuit-breaker.js';
import type {
  AgenticCodec,
  BlockingAssembler,
  StreamAssembler,
  ToolCall,
  ToolOutcome,
  Turn,
} from '../dialects/agentic.js';
import type { BridgeRequest, Dialect } from '../dialects/dialect.js';
import { joinedText } from '../dialects/bounded-text.js';
import { scanJson } from '../dialects/json-object.js';
import { addUsage, emptyUsage, type TokenUsage } from '../dialects/token-usage.js';
import { GatewayError } from '../errors/gateway-error.js';
import { INJECTED_PREFIX } from '../mcp/tool-naming.js';
import type { ToolSet } from '../mcp/tool-source.js';
import type { ToolCallRecord, UpstreamCallRecord } from '../recorder/interception.js';
import { isEventStream } from '../sse/event-stream-head.js';
import { decodedHeaders } from '../upstream/decoded-body.js';
import { readFailedBody } from '../upstream/failed-body.js';
import { sendWithFailover } from '../upstream/failover.js';
import type { UpstreamResponse } from '../upstream/http-client.js';
import type { Provider } from '../upstream/provider.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';
import { UpstreamTransportError } from '../upstream/upstream-error.js';
import { errorMessageOf } from '../upstream/upstream-error-message.js';
import type { BridgeDeps } from './bridge-deps.js';
import { relayBuffered } from './buffered-relay.js';
import { passBreaker, recordVerdict } from './circuit-guard.js';
import { errorKindOf } from './error-mapping.js';
import { pumpEvents } from './event-pump.js';
import type { Exchange } from './exchange.js';
import { failureOutcome, type Ending } from './failure-outcome.js';
import { jsonRequestHeaders } from './json-request-headers.js';
import type { InterceptionWatch } from './observer.js';
import { readWholeBody } from './whole-body.js';
import { endStream } from './stream-relay.js';

/** Every injected tool name starts so; an answer without it calls none of them. */
const INJECTED_MARK = Buffer.from(`"${INJECTED_PREFIX}`);

export interface ToolLoopRequest {
  readonly exchange: Exchange;
  readonly provider: Provider;
  readonly dialect: Dialect;
  readonly codec: AgenticCodec;
  readonly upstreamPath: string;
  readonly caller: Caller;
  readonly request: BridgeRequest;
  readonly tools: ToolSet;
  readonly maxIterations: number;
  readonly watch: InterceptionWatch | undefined;
}

/** What the loop did, for the record. */
export interface ToolLoopResult extends Ending {
  readonly usage: TokenUsage;
  /** Summed over the calls that reported counts beyond `usage`'s; undefined when none did. */
  readonly otherUsage?: Record<string, number> | undefined;
  /** Every call's reasoning text, when `recording.thoughts` asked for it. */
  readonly thoughts?: string | undefined;
  readonly calls: readonly UpstreamCallRecord[];
  readonly toolCalls: readonly ToolCallRecord[];
}

const tooManyIterations = (max: number): GatewayError =>
  new GatewayError(
    400,
    'invalid_request',
    `the model was still calling the gateway's tools after ${max} upstream calls (mcp_max_iterations); no answer was produced`,
  );

/**
 * The agentic loop, once for every API and mode. The request goes upstream with the
 * injected tools; when the model calls some of them the gateway runs them concurrently,
 * appends the model's turn and their results in the API's own format (the codec's
 * `continuation`) and calls upstream again, each call with its own failover walk, until the
 * model answers without injected calls. The client sees one answer: the codec rewrites the
 * upstream answers into it (hiding injected calls, renumbering, summing usage).
 *
 * The commit point is wherever the codec first gives the client bytes: Messages and Chat
 * commit on the first upstream event; Responses holds its events until the first output
 * the client may see, so a loop that fails before that still answers with a status.
 */
export async function runToolLoop(
  loop: ToolLoopRequest,
  deps: BridgeDeps,
): Promise<ToolLoopResult> {
  const { exchange, dialect, codec, request, tools } = loop;
  const calls: UpstreamCallRecord[] = [];
  const toolCalls: ToolCallRecord[] = [];
  const thoughts: string[] = [];
  const collect = deps.keepTexts.thoughts
    ? (text: string | undefined) => {
        if (text !== undefined) thoughts.push(text);
      }
    : undefined;
  const result = (failure: Ending): ToolLoopResult => ({
    ...failure,
    usage: calls.reduce((sum, call) => addUsage(sum, call.usage), emptyUsage()),
    otherUsage: sumOtherUsage(calls),
    calls,
    toolCalls,
    thoughts: joinedText(thoughts),
  });
  const headers = jsonRequestHeaders(exchange, loop.caller, deps);
  const isInjected = (name: string): boolean => tools.isInjected(name);
  const assembler: Assembler = request.stream
    ? { kind: 'stream', stream: codec.streaming(isInjected, request) }
    : { kind: 'blocking', blocking: codec.blocking(isInjected) };
  // Tool calls stop when the client leaves or the gateway shuts down. Made at the first
  // tool call: most requests call none, and pay for neither the controller nor the link.
  let stop: AbortController | undefined;
  let unlink: (() => void) | undefined;
  const stopSignal = (): AbortSignal => {
    if (stop === undefined) {
      const controller = new AbortController();
      stop = controller;
      unlink = exchange.cancellation.onCancel(() => {
        controller.abort();
      });
    }
    return stop.signal;
  };
  const declarations = dialect.tools.declarations(tools.tools);
  // The body sent upstream is needed again only for a continuation. The first one (tens of
  // KB with the declarations) is made again from the request then rather than held for as
  // long as the answer streams, which is most of a stream's memory; a continuation's is held.
  let continued: Buffer | undefined;
  const upstreamBody = (): Buffer => continued ?? dialect.upstreamBody(request, declarations);
  // Not a local of this function: its suspended frame would hold the body while it streams.
  const send = (iteration: number, attempts: UpstreamAttempt[]): Promise<UpstreamResponse> =>
    sendWithFailover(
      loop.provider,
      loop.caller.credential,
      {
        method: 'POST',
        path: loop.upstreamPath,
        headers,
        body: upstreamBody(),
        cancellation: exchange.cancellation,
        watch: loop.watch,
        iteration,
      },
      deps.clock,
      attempts,
    );
  // The breaker's pass of the upstream call under way, until its answer is read.
  let pass: BreakerPass | undefined;
  try {
    for (let iteration = 0; ; iteration++) {
      if (iteration >= loop.maxIterations) throw tooManyIterations(loop.maxIterations);
      const attempts: UpstreamAttempt[] = [];
      const call: UpstreamCallRecord = { iteration, attempts, usage: emptyUsage() };
      calls.push(call);
      pass = passBreaker(loop.provider.breakers, dialect.id, request.model);
      const response = await send(iteration, attempts);
      const step = await readTurn(loop, assembler, response, iteration, deps, collect);
      recordVerdict(
        pass,
        step.kind === 'ended'
          ? step.failure
          : { outcome: 'completed', status: response.status, error: undefined },
        undefined,
      );
      pass = undefined;
      if (step.kind === 'ended') {
        calls[iteration] = {
          ...call,
          usage: step.usage,
          ...(step.otherUsage === undefined ? {} : { otherUsage: step.otherUsage }),
        };
        return result(step.failure);
      }
      const { turn } = step;
      calls[iteration] = { ...call, usage: turn.usage };
      for (const client of turn.clientCalls) {
        const record = clientToolRecord(iteration, client);
        toolCalls.push(record);
        loop.watch?.toolCall?.(record, deps.clock.now());
      }
      if (turn.injectedCalls.length === 0) {
        if (assembler.kind === 'blocking') {
          exchange.respond(response.status, step.headers, assembler.blocking.answer());
        } else exchange.end();
        return result({ outcome: 'completed', status: response.status, error: undefined });
      }
      const outcomes = await runTools(turn.injectedCalls, tools, stopSignal(), (record) => {
        const toolRecord = { ...record, iteration };
        toolCalls.push(toolRecord);
        loop.watch?.toolCall?.(toolRecord, deps.clock.now());
      });
      if (exchange.cancellation.isCancelled) {
        throw new UpstreamTransportError('aborted', exchange.cancellation.message ?? 'cancelled');
      }
      const previous = scanJson(upstreamBody());
      if (previous.kind !== 'object')
        throw new Error('the request sent upstream is not a JSON object');
      continued = codec.continuation(previous.object, turn, outcomes);
    }
  } catch (thrown) {
    const failure = failureOutcome(exchange, dialect.family, thrown, deps.logger);
    recordVerdict(pass, failure, thrown);
    return result(failure);
  } finally {
    unlink?.();
  }
}

/** The calls' other counts added up by name; undefined when no call reported any. */
function sumOtherUsage(calls: readonly UpstreamCallRecord[]): Record<string, number> | undefined {
  let sum: Record<string, number> | undefined;
  for (const call of calls) {
    if (call.otherUsage === undefined) continue;
    sum ??= {};
    for (const [name, count] of Object.entries(call.otherUsage))
      sum[name] = (sum[name] ?? 0) + count;
  }
  return sum;
}

type Assembler =
  | { readonly kind: 'blocking'; readonly blocking: BlockingAssembler }
  | { readonly kind: 'stream'; readonly stream: StreamAssembler };

type Step =
  | {
      readonly kind: 'turn';
      readonly turn: Turn;
      /** The headers the client gets for a blocking answer. */
      readonly headers: Record<string, string | string[]>;
    }
  | {
      readonly kind: 'ended';
      readonly failure: Ending;
      readonly usage: TokenUsage;
      readonly otherUsage?: Record<string, number> | undefined;
    };

/**
 * Reads one upstream answer into a turn, or ends the exchange when the answer is not one
 * the loop can go on from: an upstream error, a broken stream, an answer without the
 * gateway's tools in it on the first call (relayed as it came, the fast path).
 */
async function readTurn(
  loop: ToolLoopRequest,
  assembler: Assembler,
  response: UpstreamResponse,
  iteration: number,
  deps: BridgeDeps,
  collectThoughts: ((text: string | undefined) => void) | undefined,
): Promise<Step> {
  const { exchange, dialect } = loop;
  const family = dialect.family;
  const ok = response.status >= 200 && response.status < 300;
  if (!ok) {
    return {
      kind: 'ended',
      failure: await upstreamError(loop, response, deps),
      usage: emptyUsage(),
    };
  }

  if (assembler.kind === 'stream' && isEventStream(response.headers)) {
    const { stream } = assembler;
    const downstream = decodedHeaders(response);
    const observer = stream.iteration();
    // The codec's observer rewrites what the client sees; the reasoning text is read beside
    // it by the dialect's plain observer, only when thoughts are kept.
    const reader =
      collectThoughts === undefined
        ? undefined
        : dialect.observeStream(loop.request, { collectThoughts: true });
    const onEvent: typeof observer.onEvent =
      reader === undefined
        ? observer.onEvent
        : (type, event) => {
            reader.onEvent(type, event);
            return observer.onEvent(type, event);
          };
    const failure = await pumpEvents(exchange, response, onEvent, () => {
      if (exchange.phase === 'before') {
        exchange.commitEventStream(response.status, downstream, (error) =>
          stream.errorEvent(error),
        );
      }
    });
    collectThoughts?.(reader?.thoughts());
    if (observer.end !== 'completed') {
      const ended = endStream(exchange, family, observer, failure);
      return {
        kind: 'ended',
        failure: { ...ended, status: response.status },
        usage: observer.usage,
      };
    }
    return { kind: 'turn', turn: stream.turn(), headers: downstream };
  }

  if (assembler.kind === 'blocking') {
    const headers = decodedHeaders(response);
    const whole = await readWholeBody(response);
    const scan = scanJson(whole);
    if (scan.kind === 'object') collectThoughts?.(dialect.thoughtsOf(scan.object));
    if (iteration === 0 && (scan.kind !== 'object' || whole.indexOf(INJECTED_MARK) === -1)) {
      // No injected call in the first answer (or no JSON at all): it goes as it came.
      exchange.respond(response.status, headers, whole);
      const reported = scan.kind === 'object' ? scan.object.value('usage') : undefined;
      return {
        kind: 'ended',
        failure: { outcome: 'completed', status: response.status, error: undefined },
        usage: reported === undefined ? emptyUsage() : dialect.usageOf(reported),
        otherUsage: reported === undefined ? undefined : dialect.otherUsageOf(reported),
      };
    }
    if (scan.kind !== 'object') {
      throw new GatewayError(
        502,
        'api_error',
        'the upstream answered a continuation with no JSON object',
      );
    }
    return { kind: 'turn', turn: assembler.blocking.read(scan.object), headers };
  }

  // A stream was asked for and a plain answer came: passed on if nothing was sent yet.
  if (exchange.phase === 'before') {
    await relayBuffered(exchange, family, response);
    return {
      kind: 'ended',
      failure: { outcome: 'completed', status: response.status, error: undefined },
      usage: emptyUsage(),
    };
  }
  throw new GatewayError(502, 'api_error', 'the upstream answered a continuation without a stream');
}

/**
 * An upstream error status. Before the commit point it reaches the client as it came; after
 * it (a continuation of a stream the client is reading) it becomes the API's error event.
 */
async function upstreamError(
  loop: ToolLoopRequest,
  response: UpstreamResponse,
  deps: BridgeDeps,
): Promise<Ending> {
  const { exchange, dialect } = loop;
  if (exchange.phase === 'before') {
    let whole: Buffer | undefined;
    await relayBuffered(exchange, dialect.family, response, (bytes) => {
      whole = bytes;
    });
    return {
      outcome: exchange.clientGone ? 'cancelled' : 'upstream_error',
      status: response.status,
      error:
        (whole === undefined ? undefined : errorMessageOf(whole)) ??
        `upstream answered ${response.status}`,
    };
  }
  const { head } = await readFailedBody(response.body, deps.clock);
  const message = errorMessageOf(head) ?? `upstream answered ${response.status}`;
  exchange.fail(
    dialect.family,
    new GatewayError(response.status, errorKindOf(response.status), message),
  );
  return { outcome: 'upstream_error', status: response.status, error: message };
}

/** The injected calls of one turn, all at once; a failing tool gives the model an error result. */
async function runTools(
  injected: readonly ToolCall[],
  tools: ToolSet,
  signal: AbortSignal,
  ran: (record: Omit<ToolCallRecord, 'iteration'>) => void,
): Promise<ToolOutcome[]> {
  return Promise.all(
    injected.map(async (call) => {
      const result = await tools.call(call.name, call.arguments, { signal });
      ran({
        server: result.server,
        tool: result.tool,
        injected: true,
        arguments: call.arguments,
        durationMs: result.durationMs,
        error: result.isError ? result.text : undefined,
      });
      return { call, text: result.text, isError: result.isError };
    }),
  );
}

function clientToolRecord(iteration: number, call: ToolCall): ToolCallRecord {
  return {
    iteration,
    server: undefined,
    tool: call.name,
    injected: false,
    arguments: call.arguments,
    durationMs: undefined,
    error: undefined,
  };
}
