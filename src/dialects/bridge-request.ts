import { invalidRequest } from '../errors/gateway-error.js';
import type { BridgeRequest } from './dialect.js';
import { scanJson } from './json-object.js';

/**
 * Validates a bridged request body once, without building it: a JSON object with a model.
 * Throws 400 otherwise. The messages never quote the body: it may hold anything.
 */
export function parseBridgeRequest(raw: Buffer): BridgeRequest {
  const scan = scanJson(raw);
  if (scan.kind === 'invalid') throw invalidRequest('request body is not valid JSON');
  if (scan.kind === 'not-object') throw invalidRequest('request body must be a JSON object');
  const body = scan.object;
  const model = body.value('model');
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest('model: field required (a non-empty string)');
  }
  return { raw, body, model, stream: body.value('stream') === true };
}
