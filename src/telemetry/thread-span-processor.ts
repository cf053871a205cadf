import { Worker } from 'node:worker_threads';
import { TraceFlags } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  plainSpan,
  type ExportReply,
  type ExportRequest,
  type ExportThreadData,
  type PlainSpan,
} from './span-export-protocol.js';

/** Finished spans wait at most this long on the gateway's thread before going to the thread. */
const HANDOFF_MS = 50;
/** ... or until this many have finished. */
const HANDOFF_SPANS = 256;

/**
 * A span processor that hands every finished, sampled span, as plain data, to the export
 * thread (span-export-thread.ts), where the SDK's batch span processor (OTEL_BSP_*) and the
 * OTLP/HTTP exporter batch, serialise and post them. The gateway's thread keeps a span's
 * plain copy for at most 50 ms; the SDK's span object dies young, where the batch processor
 * on this thread would have held it for up to OTEL_BSP_SCHEDULE_DELAY (5 s), long enough to
 * be promoted and collected as old garbage.
 */
export class ThreadSpanProcessor implements SpanProcessor {
  private readonly worker: Worker;
  private readonly replies = new Map<number, (reply: ExportReply) => void>();
  private waiting: PlainSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private stopped = false;

  constructor(entry: URL, resource: Resource) {
    const data: ExportThreadData = { resource: resource.attributes };
    this.worker = new Worker(entry, { workerData: data });
    // The thread never keeps the gateway alive: shutdown() flushes before the gateway ends.
    this.worker.unref();
    this.worker.on('message', (reply: ExportReply) => {
      const settle = this.replies.get(reply.id);
      this.replies.delete(reply.id);
      settle?.(reply);
    });
    const lost = (why: string): void => {
      this.stopped = true;
      this.waiting = [];
      for (const settle of this.replies.values()) settle({ id: 0, ok: false, error: why });
      this.replies.clear();
    };
    this.worker.on('error', (error) => {
      lost(`the span export thread failed: ${error.message}`);
    });
    this.worker.on('exit', () => {
      lost('the span export thread has exited');
    });
  }

  onStart(): void {
    // Nothing to do before a span ends.
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.waiting.push(plainSpan(span));
    if (this.waiting.length >= HANDOFF_SPANS) this.handOff();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.handOff();
      }, HANDOFF_MS);
      this.timer.unref();
    }
  }

  /** Sends what is waiting, then has the thread export everything it holds. */
  async forceFlush(): Promise<void> {
    if (this.stopped) return;
    this.handOff();
    await this.request('flush');
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.handOff();
    try {
      await this.request('shutdown');
    } finally {
      this.stopped = true;
      await this.worker.terminate();
    }
  }

  private handOff(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.waiting.length === 0 || this.stopped) return;
    this.worker.postMessage({ op: 'spans', spans: this.waiting } satisfies ExportRequest);
    this.waiting = [];
  }

  private request(op: 'flush' | 'shutdown'): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.replies.set(id, (reply) => {
        if (reply.ok) resolve();
        else reject(new Error(reply.error ?? `the span export thread could not ${op}`));
      });
      this.worker.postMessage({ op, id } satisfies ExportRequest);
    });
  }
}
