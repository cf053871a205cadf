import type { Readable } from 'node:stream';
import { classifyTransportError } from './upstream-error.js';

/**
 * The chunks of an upstream body, with socket and timeout failures turned into
 * UpstreamTransportError like the ones the request itself throws.
 */
export async function* bodyChunks(body: Readable): AsyncGenerator<Buffer, void, undefined> {
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    throw classifyTransportError(error);
  }
}
