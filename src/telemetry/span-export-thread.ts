/**
 * The span export thread: the SDK's batch span processor and OTLP/HTTP exporter, configured
 * by the standard variables (OTEL_BSP_*, OTEL_EXPORTER_OTLP_*) as they would be on the
 * gateway's thread, batching finished spans, turning them into OTLP's JSON and posting them.
 * That work (about 10 µs of CPU per span, most of it the serialisation) and the spans'
 * lifetime in the batch then stay off the event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  readableSpan,
  type ExportReply,
  type ExportRequest,
  type ExportThreadData,
} from './span-export-protocol.js';

const port = parentPort;
if (port === null) throw new Error('span-export-thread.js runs as a worker thread only');
const data = workerData as ExportThreadData;
const resource = resourceFromAttributes(data.resource);
const batches = new BatchSpanProcessor(new OTLPTraceExporter());

function reply(id: number, done: Promise<void>): void {
  done.then(
    () => {
      port?.postMessage({ id, ok: true, error: undefined } satisfies ExportReply);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      port?.postMessage({ id, ok: false, error: message } satisfies ExportReply);
    },
  );
}

port.on('message', (request: ExportRequest) => {
  switch (request.op) {
    case 'spans':
      for (const plain of request.spans) batches.onEnd(readableSpan(plain, resource));
      return;
    case 'flush':
      reply(request.id, batches.forceFlush());
      return;
    case 'shutdown':
      reply(request.id, batches.shutdown());
      return;
  }
});
