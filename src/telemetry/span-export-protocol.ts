import type {
  Attributes,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
} from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

/**
 * A finished span as plain data, for the export thread: what the OTLP serializer reads of a
 * `ReadableSpan`, nothing else (the resource, the same for every span, travels once).
 */
export interface PlainSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly context: PlainSpanContext;
  readonly parent: PlainSpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: readonly PlainLink[];
  readonly events: readonly TimedEvent[];
  readonly scope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** A span context whose trace state (a class instance) is carried as its header value. */
interface PlainSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote: boolean | undefined;
  readonly traceState: string | undefined;
}

interface PlainLink {
  readonly context: PlainSpanContext;
  readonly attributes: Attributes | undefined;
  readonly droppedAttributesCount: number | undefined;
}

/**
 * What the gateway's thread tells the export thread: finished spans to batch (no answer), or
 * to export all it holds (`flush`) or that, then stop (`shutdown`), answered by id.
 */
export type ExportRequest =
  | { readonly op: 'spans'; readonly spans: readonly PlainSpan[] }
  | { readonly id: number; readonly op: 'flush' | 'shutdown' };

/** The export thread's answer to request `id`: whether the spans reached the collector. */
export interface ExportReply {
  readonly id: number;
  readonly ok: boolean;
  /** Why not, in words (the exporter's error message; never a header). */
  readonly error: string | undefined;
}

/** What the export thread is started with. */
export interface ExportThreadData {
  /** The resource of every span, as attributes (detected once, on the gateway's thread). */
  readonly resource: Attributes;
}

function plainContext(context: SpanContext): PlainSpanContext {
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    isRemote: context.isRemote,
    traceState: context.traceState?.serialize(),
  };
}

export function plainSpan(span: ReadableSpan): PlainSpan {
  const { parentSpanContext } = span;
  return {
    name: span.name,
    kind: span.kind,
    context: plainContext(span.spanContext()),
    parent: parentSpanContext === undefined ? undefined : plainContext(parentSpanContext),
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    // The gateway's spans have neither; mapped only when some other code adds them.
    links:
      span.links.length === 0
        ? []
        : span.links.map((link) => ({
            context: plainContext(link.context),
            attributes: link.attributes,
            droppedAttributesCount: link.droppedAttributesCount,
          })),
    events: span.events,
    scope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function spanContextOf(plain: PlainSpanContext): SpanContext {
  return {
    traceId: plain.traceId,
    spanId: plain.spanId,
    traceFlags: plain.traceFlags,
    ...(plain.isRemote === undefined ? {} : { isRemote: plain.isRemote }),
    ...(plain.traceState === undefined ? {} : { traceState: new TraceState(plain.traceState) }),
  };
}

function durationOf(start: HrTime, end: HrTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  return [seconds, nanos];
}

/** The span again, as the exporter reads it, on the export thread. */
export function readableSpan(plain: PlainSpan, resource: Resource): ReadableSpan {
  const context = spanContextOf(plain.context);
  const links: Link[] = plain.links.map((link) => ({
    context: spanContextOf(link.context),
    ...(link.attributes === undefined ? {} : { attributes: link.attributes }),
    ...(link.droppedAttributesCount === undefined
      ? {}
      : { droppedAttributesCount: link.droppedAttributesCount }),
  }));
  return {
    name: plain.name,
    kind: plain.kind,
    spanContext: () => context,
    ...(plain.parent === undefined ? {} : { parentSpanContext: spanContextOf(plain.parent) }),
    startTime: plain.startTime,
    endTime: plain.endTime,
    status: plain.status,
    attributes: plain.attributes,
    links,
    events: [...plain.events],
    duration: durationOf(plain.startTime, plain.endTime),
    ended: true,
    resource,
    instrumentationScope: plain.scope,
    droppedAttributesCount: plain.droppedAttributesCount,
    droppedEventsCount: plain.droppedEventsCount,
    droppedLinksCount: plain.droppedLinksCount,
  };
}
