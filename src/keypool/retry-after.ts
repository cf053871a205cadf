export type HeaderRecord = Readonly<Record<string, string | string[] | undefined>>;

const NUMBER = /^[+-]?\d+(\.\d+)?$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function positiveNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return value > 0 ? value : undefined;
}

/**
 * How long the upstream asked us to wait, in milliseconds; 0 when it did not say.
 * `retry-after-ms` (OpenAI, Anthropic) wins when it is a positive number; otherwise
 * `Retry-After` as delay-seconds or as an HTTP-date (RFC 9110 §10.2.3).
 * Header names must already be lower-case, as Node and undici deliver them.
 */
export function parseRetryAfterMs(headers: HeaderRecord | undefined, now: number): number {
  if (headers === undefined) return 0;
  const ms = positiveNumber(single(headers['retry-after-ms']));
  if (ms !== undefined) return ms;
  const raw = single(headers['retry-after']);
  if (raw === undefined) return 0;
  const seconds = positiveNumber(raw);
  if (seconds !== undefined) return seconds * 1000;
  if (NUMBER.test(raw.trim())) return 0;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}
