/**
 * The span export thread: the OTLP/HTTP exporter, configured by the standard variables as
 * on the gateway's thread, turning batches of finished spans into OTLP's JSON and posting
 * them. That work (about 10 µs of CPU per span, most of it the serialisation) then runs
 * beside the event loop instead of on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
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
const exporter = new OTLPTraceExporter();

function exported(result: ExportResult): void | Promise<void> {
  if (result.code === ExportResultCode.SUCCESS) return;
  throw result.error ?? new Error('the spans were not exported');
}

function perform(request: ExportRequest): Promise<void> {
  switch (request.op) {
    case 'export': {
      const spans = request.spans.map((plain) => readableSpan(plain, resource));
      return new Promise<ExportResult>((resolve) => {
        exporter.export(spans, resolve);
      }).then(exported);
    }
    case 'flush':
      return exporter.forceFlush();
    case 'shutdown':
      return exporter.shutdown();
  }
}

port.on('message', (request: ExportRequest) => {
  perform(request).then(
    () => {
      port.postMessage({ id: request.id, ok: true, error: undefined } satisfies ExportReply);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      port.postMessage({ id: request.id, ok: false, error: message } satisfies ExportReply);
    },
  );
});
