import type { InterceptionObserver } from '../interception/observer.js';
import type { ProbeSpan, RecordingSpan, TracingObserver } from './tracing-observer.js';

/** The instrumentation scope of every span the gateway makes. */
export const TRACER_NAME = 'switchyard';

/** Tracing as the gateway uses it: an observer, two hooks, and a flush for shutdown. */
export interface Tracing {
  readonly observer: InterceptionObserver;
  probe(probe: ProbeSpan): void;
  recording(batch: RecordingSpan): void;
  /** Exports what is buffered; a tracer provider the gateway made is also shut down. */
  shutdown(): Promise<void>;
}

/** The gateway's handle on an observer over some tracer provider, and how to end it. */
export function tracingOf(observer: TracingObserver, shutdown: () => Promise<void>): Tracing {
  return {
    observer,
    probe: (probe) => {
      observer.probe(probe);
    },
    recording: (batch) => {
      observer.recording(batch);
    },
    shutdown,
  };
}
