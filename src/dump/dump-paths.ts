import { join } from 'node:path';

/** A path segment from a name a client chose (a model): nothing that climbs or splits paths. */
export function safeSegment(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return cleaned === '' || /^\.+$/.test(cleaned) ? `_${cleaned}` : cleaned;
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * `dir/<provider>/<model>/<date>/<time>-<id>`, the stem of one interception's files: the
 * date and time of its start, in UTC (YYYY-MM-DD, HHMMSS.mmm).
 */
export function dumpStem(
  dir: string,
  provider: string,
  model: string,
  startedAt: number,
  id: string,
): string {
  const at = new Date(startedAt);
  const date = `${at.getUTCFullYear()}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}`;
  const time = `${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}.${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
  return join(dir, safeSegment(provider), safeSegment(model), date, `${time}-${safeSegment(id)}`);
}

/**
 * The stem of one upstream attempt's `.req`/`.resp` pair: the first attempt of the
 * interception has the interception's stem, each later one (a failed-over attempt, an
 * agentic continuation) `.2`, `.3`… after it, in the order the attempts started.
 */
export function attemptStem(stem: string, attempt: number): string {
  return attempt === 1 ? stem : `${stem}.${attempt}`;
}
