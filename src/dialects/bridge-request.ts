import { invalidRequest } from '../server/gateway-error.js';
import type { BridgeRequest } from './dialect.js';
import { asRecord } from './json-access.js';

/** Parses a bridged request body once: a JSON object with a model. Throws 400 otherwise. */
export function parseBridgeRequest(raw: Buffer): BridgeRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    // V8's parse messages quote the input; a log line or error body must not carry it.
    throw invalidRequest('request body is not valid JSON');
  }
  const json = asRecord(parsed);
  if (json === undefined) throw invalidRequest('request body must be a JSON object');
  const model = json['model'];
  if (typeof model !== 'string' || model.trim() === '') {
    throw invalidRequest('model: field required (a non-empty string)');
  }
  return { raw, json, model, stream: json['stream'] === true };
}
