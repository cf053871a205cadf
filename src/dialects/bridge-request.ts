import { invalidRequest } from '../errors/gateway-error.js';
import { scanJson, type JsonObjectText } from './json-object.js';

/** A bridged request body, validated once; `raw` is forwarded unless the dialect must edit it. */
export interface BridgeRequest {
  readonly raw: Buffer;
  readonly body: JsonObjectText;
  readonly model: string;
  readonly stream: boolean;
}

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
