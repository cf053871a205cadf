import type { TracerProvider } from '@opentelemetry/api';
import { TRACER_NAME, tracingOf, type Tracing } from './tracing-handle.js';

export interface TracingOptions {
  /** A tracer provider of the caller's (tests): used as is, flushed but never shut down. */
  readonly provider?: TracerProvider & { forceFlush?(): Promise<void> };
}

/** Whether the standard variables ask for OTLP export of traces. */
export function otlpConfigured(env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  if ((env['OTEL_TRACES_EXPORTER'] ?? '').trim().toLowerCase() === 'none') return false;
  return (
    (env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '') !== '' ||
    (env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? '') !== ''
  );
}

/**
 * Tracing when it is asked for, else undefined. Without a provider given and without
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, nothing of OpenTelemetry is loaded: an interception then
 * has no tracing observer at all, and a client's traceparent goes upstream unchanged.
 */
export async function openTracing(
  options: TracingOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Tracing | undefined> {
  if (options.provider !== undefined) {
    const { provider } = options;
    const { TracingObserver } = await import('./tracing-observer.js');
    return tracingOf(new TracingObserver(provider.getTracer(TRACER_NAME)), async () => {
      await provider.forceFlush?.();
    });
  }
  if (!otlpConfigured(env)) return undefined;
  const { otlpTracing } = await import('./otlp-tracing.js');
  return otlpTracing();
}
