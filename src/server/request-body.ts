import type { IncomingMessage } from 'node:http';
import { GatewayError } from './gateway-error.js';

/**
 * After the limit we keep reading (and discarding) so the client, still sending, sees our
 * 413 instead of a connection reset; past this much we stop being polite and hang up.
 */
const DISCARD_LIMIT = 1024 * 1024 * 1024;

/** Reads the whole request body, or throws 413 once it has all arrived and was too large. */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (size > limit + DISCARD_LIMIT) {
      req.destroy();
      break;
    }
  }
  if (size > limit) {
    throw new GatewayError(
      413,
      'request_too_large',
      `request body is larger than the gateway's limit of ${limit} bytes`,
    );
  }
  return chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size);
}

/** Consumes a body we will not use, so an early error answer reaches the client intact. */
export async function discardRequestBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  try {
    await readRequestBody(req, 0);
  } catch {
    // Only the reading mattered.
  }
}
