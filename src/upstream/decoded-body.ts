import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import type { UpstreamHeaders } from './http-client.js';
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

/**
 * A sink that decodes before passing bytes on. We ask providers for `identity`, but a
 * misbehaving upstream or proxy may compress anyway, and we read the body. Returns the
 * sink unchanged (and decoded: false) for an uncompressed body, the common case.
 */
export function decodingSink(
  headers: UpstreamHeaders,
  sink: BodySink,
): { sink: BodySink; decoded: boolean } {
  const raw = headers['content-encoding'];
  if (raw === undefined) return { sink, decoded: false };
  const encoding = (Array.isArray(raw) ? raw.join(',') : raw).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return { sink, decoded: false };
  const create = DECODERS[encoding];
  if (create === undefined) throw new UnsupportedEncodingError(encoding);
  const decoder = create();
  decoder.on('data', (chunk: Buffer) => {
    sink.onData(chunk);
  });
  decoder.on('end', () => {
    sink.onEnd();
  });
  decoder.on('error', () => {
    sink.onError(
      new UpstreamTransportError('reset', `the upstream sent a corrupt ${encoding} body`),
    );
  });
  return {
    decoded: true,
    sink: {
      onData: (chunk) => decoder.write(chunk),
      onEnd: () => decoder.end(),
      onError: (error) => {
        decoder.destroy();
        sink.onError(error);
      },
    },
  };
}
