import { Worker } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  plainSpan,
  type ExportReply,
  type ExportRequest,
  type ExportThreadData,
} from './span-export-protocol.js';

/**
 * A span exporter that hands each batch, as plain data, to the export thread
 * (span-export-thread.ts), where the OTLP/HTTP exporter serialises and posts it. The batch
 * span processor in front of it still decides when batches go (OTEL_BSP_*); a batch's
 * result comes back once the thread's exporter has it, so the processor's export timeout and
 * its one-export-at-a-time pacing hold as with the exporter in this thread.
 */
export class ThreadSpanExporter implements SpanExporter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (reply: ExportReply) => void>();
  private nextId = 1;
  private stopped = false;

  constructor(entry: URL, resource: Resource) {
    const data: ExportThreadData = { resource: resource.attributes };
    this.worker = new Worker(entry, { workerData: data });
    // The thread never keeps the gateway alive: shutdown() flushes before the gateway ends.
    this.worker.unref();
    this.worker.on('message', (reply: ExportReply) => {
      const settle = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      settle?.(reply);
    });
    const lost = (why: string): void => {
      this.stopped = true;
      for (const settle of this.pending.values()) settle({ id: 0, ok: false, error: why });
      this.pending.clear();
    };
    this.worker.on('error', (error) => {
      lost(`the span export thread failed: ${error.message}`);
    });
    this.worker.on('exit', () => {
      lost('the span export thread has exited');
    });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const plain = spans.map(plainSpan);
    this.request({ id: 0, op: 'export', spans: plain }).then(
      () => {
        resultCallback({ code: ExportResultCode.SUCCESS });
      },
      (error: unknown) => {
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      },
    );
  }

  async forceFlush(): Promise<void> {
    if (this.stopped) return;
    await this.request({ id: 0, op: 'flush' });
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.request({ id: 0, op: 'shutdown' });
    } finally {
      this.stopped = true;
      await this.worker.terminate();
    }
  }

  private request(request: ExportRequest): Promise<void> {
    if (this.stopped) return Promise.reject(new Error('the span exporter is shut down'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, (reply) => {
        if (reply.ok) resolve();
        else reject(new Error(reply.error ?? 'the spans were not exported'));
      });
      this.worker.postMessage({ ...request, id });
    });
  }
}
