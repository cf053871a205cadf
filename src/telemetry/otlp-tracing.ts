import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { TRACER_NAME, tracingOf, type Tracing } from './tracing-handle.js';
import { TracingObserver } from './tracing-observer.js';

/**
 * The SDK with OTLP/HTTP export, configured by the standard variables: the exporter reads
 * OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT and _COMPRESSION; the batch
 * processor OTEL_BSP_*; the sampler OTEL_TRACES_SAMPLER(_ARG); the resource
 * OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, over the service name `switchyard`.
 *
 * No context manager is registered, and none is needed: the observer passes every parent
 * explicitly. One built on AsyncLocalStorage would tax every promise of the process.
 */
export function otlpTracing(): Tracing {
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'switchyard' }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  return tracingOf(new TracingObserver(provider.getTracer(TRACER_NAME)), () => provider.shutdown());
}
