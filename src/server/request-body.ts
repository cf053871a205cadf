import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * After the limit we keep reading (and discarding) so the client, still sending, sees our
 * 413 instead of a connection reset; past this much we stop being polite and hang up.
 */
const DISCARD_LIMIT = 1024 * 1024 * 1024;

/** The client hung up before it had sent its whole request. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected while sending the request');
    this.name = 'ClientGoneError';
  }
}

/**
 * Reads the whole request body, or rejects with 413 once it has all arrived and was too
 * large. Events rather than an async iterator: this runs for every request.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DISCARD_LIMIT) req.destroy();
    };
    const onEnd = (): void => {
      cleanup();
      if (size > limit) {
        reject(
          new GatewayError(
            413,
            'request_too_large',
            `request body is larger than the gateway's limit of ${limit} bytes`,
          ),
        );
        return;
      }
      resolve(
        chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
      );
    };
    const onClose = (): void => {
      cleanup();
      reject(new ClientGoneError());
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/** Consumes a body we will not use, so an early error answer reaches the client intact. */
export async function discardRequestBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return;
  try {
    await readRequestBody(req, 0);
  } catch {
    // Only the reading mattered.
  }
}
