import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ThreadSpanProcessor } from './thread-span-processor.js';
import { TRACER_NAME, tracingOf, type Tracing } from './tracing-handle.js';
import { TracingObserver } from './tracing-observer.js';

/**
 * The SDK with OTLP/HTTP export, configured by the standard variables: the exporter reads
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION; the batch
 * processor OTEL_BSP_*; the sampler OTEL_TRACES_SAMPLER(_ARG); the resource
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, over the service name `switchyard`.
 *
 * No context manager is registered (the observer passes every parent explicitly): one built
 * on AsyncLocalStorage would tax every promise of the process.
 */
export function otlpTracing(env: NodeJS.ProcessEnv = process.env): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'switchyard' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [spanProcessor(resource, env)],
  });
  return tracingOf(new TracingObserver(provider.getTracer(TRACER_NAME)), () => provider.shutdown());
}

/**
 * Batching and export run on a thread of its own: serialising batches to OTLP's JSON and
 * posting them cost the event loop about 20 µs per request, every request sampled, and the
 * spans held for a batch were old garbage by the time they went. From the TypeScript
 * sources (tests, tsx) there is no compiled thread entry, and
 * `SWITCHYARD_BENCH_SPAN_EXPORT=inline` (benchmarks only, to compare) keeps it all here.
 */
function spanProcessor(resource: Resource, env: NodeJS.ProcessEnv): SpanProcessor {
  if (import.meta.url.endsWith('.ts') || env['SWITCHYARD_BENCH_SPAN_EXPORT'] === 'inline') {
    return new BatchSpanProcessor(new OTLPTraceExporter());
  }
  return new ThreadSpanProcessor(new URL('./span-export-thread.js', import.meta.url), resource);
}
