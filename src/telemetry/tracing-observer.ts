import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type {
  AttemptStart,
  AttemptWatch,
  InterceptionEnd,
  InterceptionObserver,
  InterceptionStart,
  InterceptionWatch,
} from '../interception/observer.js';
import type { ToolCallRecord } from '../recorder/interception.js';
import type { UpstreamAttempt } from '../upstream/upstream-attempt.js';

/** Model names and paths come from clients; a span attribute holds at most this much. */
const MAX_ATTRIBUTE = 200;

/** The probe of one key, as a re-check or a 403's verification ran it. */
export interface ProbeSpan {
  readonly provider: string;
  readonly keyIndex: number;
  readonly keyHint: string;
  readonly reason: string;
  readonly status: number | undefined;
  readonly verdict: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** One batch the recorder wrote (or failed to write) to the database. */
export interface RecordingSpan {
  readonly interceptions: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly error: string | undefined;
}

const pathOnly = (path: string): string => {
  const q = path.indexOf('?');
  return (q === -1 ? path : path.slice(0, q)).slice(0, MAX_ATTRIBUTE);
};

/**
 * Spans of every interception: one per interception (continuing the client's W3C
 * traceparent), a child per upstream attempt (whose own traceparent goes upstream in place
 * of the client's), one per injected tool call; and, outside interceptions, key probes and
 * the recorder's writes. Only loaded when tracing is on.
 */
export class TracingObserver implements InterceptionObserver {
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(private readonly tracer: Tracer) {}

  start(start: InterceptionStart): InterceptionWatch {
    const parent = this.propagator.extract(ROOT_CONTEXT, start.headers, defaultTextMapGetter);
    const api = start.dialect ?? 'passthrough';
    const attributes: Attributes = {
      'switchyard.interception.id': start.id,
      'switchyard.provider': start.provider,
      'switchyard.api': api,
      'switchyard.streaming': start.streaming,
      'switchyard.credential_kind': start.credentialKind,
      'http.request.method': start.method,
      'url.path': pathOnly(start.upstreamPath),
    };
    if (start.model !== undefined) {
      attributes['gen_ai.request.model'] = start.model.slice(0, MAX_ATTRIBUTE);
    }
    const span = this.tracer.startSpan(
      `interception ${api}`,
      { kind: SpanKind.SERVER, attributes, startTime: start.startedAt },
      parent,
    );
    const context = trace.setSpan(parent, span);
    // The closures keep the span and its context, never the request's headers or body.
    const { startedAt } = start;
    return {
      attempt: (attempt) => this.attempt(context, attempt),
      committed: (at) => {
        // An attribute, not an event: cheaper to build and to export, on every request.
        span.setAttribute('switchyard.time_to_first_byte_ms', at - startedAt);
      },
      toolCall: (call, endedAt) => {
        this.toolCall(context, call, endedAt);
      },
      end: (end) => {
        endInterception(span, end);
      },
    };
  }

  /** A key probe, as a span of its own (a re-check runs outside any request). */
  probe(probe: ProbeSpan): void {
    const span = this.tracer.startSpan(
      `key probe ${probe.reason}`,
      {
        kind: SpanKind.CLIENT,
        startTime: probe.startedAt,
        attributes: {
          'switchyard.provider': probe.provider,
          'switchyard.key.index': probe.keyIndex,
          'switchyard.key.hint': probe.keyHint,
          'switchyard.probe.reason': probe.reason,
          'switchyard.probe.verdict': probe.verdict,
          ...(probe.status === undefined ? {} : { 'http.response.status_code': probe.status }),
        },
      },
      ROOT_CONTEXT,
    );
    span.end(probe.endedAt);
  }

  /** One database write of the recorder. */
  recording(batch: RecordingSpan): void {
    const span = this.tracer.startSpan(
      'recorder write',
      {
        kind: SpanKind.CLIENT,
        startTime: batch.startedAt,
        attributes: { 'switchyard.recorder.interceptions': batch.interceptions },
      },
      ROOT_CONTEXT,
    );
    if (batch.error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: batch.error });
    }
    span.end(batch.endedAt);
  }

  private attempt(context: Context, start: AttemptStart): AttemptWatch {
    const attributes: Attributes = {
      'switchyard.key.hint': start.keyHint,
      'switchyard.iteration': start.iteration,
      'http.request.method': start.method,
      'url.path': pathOnly(start.path),
    };
    if (start.keyIndex !== undefined) attributes['switchyard.key.index'] = start.keyIndex;
    const span = this.tracer.startSpan(
      'upstream attempt',
      { kind: SpanKind.CLIENT, attributes },
      context,
    );
    // The upstream sees this attempt as the parent of whatever it traces, not the client.
    this.propagator.inject(trace.setSpan(context, span), start.headers, defaultTextMapSetter);
    return {
      head: (status) => {
        span.setAttribute('http.response.status_code', status);
      },
      end: (attempt, error) => {
        endAttempt(span, attempt, error);
      },
    };
  }

  private toolCall(context: Context, call: ToolCallRecord, endedAt: number): void {
    // The client's own tools run on the client: only the gateway's are spans here.
    if (!call.injected || call.durationMs === undefined) return;
    const span = this.tracer.startSpan(
      `tool ${call.tool}`,
      {
        kind: SpanKind.CLIENT,
        startTime: endedAt - call.durationMs,
        attributes: {
          'switchyard.mcp.server': call.server ?? '',
          'gen_ai.tool.name': call.tool,
          'switchyard.iteration': call.iteration,
        },
      },
      context,
    );
    if (call.error !== undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: call.error.slice(0, MAX_ATTRIBUTE) });
    }
    span.end(endedAt);
  }
}

function endAttempt(span: Span, attempt: UpstreamAttempt, error: unknown): void {
  span.setAttribute('switchyard.failed_over', attempt.failedOver);
  if (attempt.status !== undefined) span.setAttribute('http.response.status_code', attempt.status);
  if (attempt.upstreamRequestId !== undefined) {
    span.setAttribute('switchyard.upstream_request_id', attempt.upstreamRequestId);
  }
  const failure = attempt.error ?? (error === undefined ? undefined : 'the answer was cut short');
  if (failure !== undefined || (attempt.status !== undefined && attempt.status >= 500)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure ?? `status ${attempt.status}` });
  }
  span.end();
}

function endInterception(span: Span, end: InterceptionEnd): void {
  span.setAttributes({
    'http.response.status_code': end.status,
    'switchyard.outcome': end.outcome,
    'switchyard.attempts': end.attempts.length,
  });
  const usage = end.record?.usage;
  if (usage !== undefined) {
    span.setAttributes({
      'gen_ai.usage.input_tokens': usage.input,
      'gen_ai.usage.output_tokens': usage.output,
    });
  }
  if (end.outcome !== 'completed') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: end.error ?? end.outcome });
  }
  span.end(end.endedAt);
}
