import { GatewayError } from '../errors/gateway-error.js';
import { decodingSink } from '../upstream/decoded-body.js';
import type { UpstreamResponse } from '../upstream/http-client.js';

/** An answer the agentic loop reads whole before deciding anything; larger is refused. */
const LOOP_BODY_LIMIT = 32 * 1024 * 1024;

/** Reads an upstream body whole (decoded), without sending the client anything. */
export function readWholeBody(
  response: UpstreamResponse,
  limit = LOOP_BODY_LIMIT,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const { sink } = decodingSink(response, {
      onData(chunk) {
        if (settled) return;
        size += chunk.length;
        if (size > limit) {
          settled = true;
          reject(new GatewayError(502, 'api_error', `the upstream answer exceeded ${limit} bytes`));
          response.body.abort('an upstream answer too large to read whole');
          return;
        }
        chunks.push(chunk);
      },
      onEnd() {
        if (settled) return;
        settled = true;
        resolve(
          chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size),
        );
      },
      onError(error) {
        if (settled) return;
        settled = true;
        reject(error);
      },
    });
    response.body.pipeTo(sink);
  });
}
