import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { downstreamResponseHeaders } from './header-hygiene.js';
import type { UpstreamResponse } from './http-client.js';
import type { BodySink } from './upstream-body.js';
import { UpstreamTransportError } from './upstream-error.js';

export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`the upstream answered with an unsupported content-encoding: ${encoding}`);
    this.name = 'UnsupportedEncodingError';
  }
}

const DECODERS: Record<string, (() => Gunzip) | undefined> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function encodingOf(response: UpstreamResponse): string | undefined {
  const raw = response.headers['content-encoding'];
  if (raw === undefined) return undefined;
  const encoding = (Array.isArray(raw) ? raw.join(',') : raw).trim().toLowerCase();
  return encoding === '' || encoding === 'identity' ? undefined : encoding;
}

/**
 * The headers the client gets for `response` once its body is decoded (no content-encoding
 * then). Throws UnsupportedEncodingError, and aborts the body, for an encoding the gateway
 * cannot read: called before the commit point, so that is still a clean 502.
 */
export function decodedHeaders(response: UpstreamResponse): Record<string, string | string[]> {
  const encoding = encodingOf(response);
  if (encoding !== undefined && DECODERS[encoding] === undefined) {
    response.body.abort('unsupported content-encoding');
    throw new UnsupportedEncodingError(encoding);
  }
  return downstreamResponseHeaders(response.headers, encoding !== undefined);
}

/**
 * A sink that decodes `response`'s body before passing bytes on. We ask providers for
 * `identity`, but a misbehaving upstream or proxy may compress anyway, and we read the body.
 * Returns the sink unchanged (and decoded: false) for an uncompressed body, the common case.
 * A body that cannot be decoded is aborted, so the provider stops generating (and billing)
 * an answer nobody can read.
 */
export function decodingSink(
  response: UpstreamResponse,
  sink: BodySink,
): { sink: BodySink; decoded: boolean } {
  const encoding = encodingOf(response);
  if (encoding === undefined) return { sink, decoded: false };
  const create = DECODERS[encoding];
  if (create === undefined) {
    response.body.abort('unsupported content-encoding');
    throw new UnsupportedEncodingError(encoding);
  }
  const decoder = create();
  // Once decoding has failed, or the body has, the other side's late callbacks are ignored:
  // aborting the body makes undici report an error of its own.
  let failed = false;
  decoder.on('data', (chunk: Buffer) => {
    sink.onData(chunk);
  });
  decoder.on('end', () => {
    sink.onEnd();
  });
  decoder.on('error', () => {
    if (failed) return;
    failed = true;
    sink.onError(
      new UpstreamTransportError('reset', `the upstream sent a corrupt ${encoding} body`),
    );
    response.body.abort('corrupt compressed body');
  });
  return {
    decoded: true,
    sink: {
      onData: (chunk) => {
        if (!failed) decoder.write(chunk);
      },
      onEnd: () => {
        if (!failed) decoder.end();
      },
      onError: (error) => {
        if (failed) return;
        failed = true;
        decoder.destroy();
        sink.onError(error);
      },
    },
  };
}
