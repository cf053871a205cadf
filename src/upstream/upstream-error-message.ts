import { asRecord, parseJson, stringField } from '../dialects/json-access.js';

/**
 * The message of a provider's error body: Anthropic and OpenAI both put it at
 * `error.message`; some OpenAI-compatible servers use a top-level `message`.
 */
export function errorMessageOf(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  const document = asRecord(parseJson(body.toString('utf8')));
  const error = document?.['error'];
  if (typeof error === 'string') return error;
  return stringField(asRecord(error), 'message') ?? stringField(document, 'message');
}
