import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { UpstreamResponse } from './http-client.js';

/**
 * The response body as plain bytes. We ask providers for `identity`, but a misbehaving
 * upstream or proxy may compress anyway; we read the body, so we decode it.
 * Returns whether a Content-Encoding was removed.
 */
export function decodedBody(response: UpstreamResponse): { body: Readable; decoded: boolean } {
  const raw = response.headers['content-encoding'];
  const encoding = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).trim().toLowerCase();
  switch (encoding) {
    case '':
    case 'identity':
      return { body: response.body, decoded: false };
    case 'gzip':
    case 'x-gzip':
      return { body: pipeInto(response.body, createGunzip()), decoded: true };
    case 'deflate':
      return { body: pipeInto(response.body, createInflate()), decoded: true };
    case 'br':
      return { body: pipeInto(response.body, createBrotliDecompress()), decoded: true };
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`the upstream answered with an unsupported content-encoding: ${encoding}`);
    this.name = 'UnsupportedEncodingError';
  }
}

function pipeInto(source: Readable, decoder: NodeJS.ReadWriteStream & Readable): Readable {
  source.on('error', (error) => decoder.destroy(error));
  decoder.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(decoder);
  return decoder;
}
