/**
 * ISO 8601 as people type it into a query string: a date (midnight UTC), or a date and time
 * with seconds and fractions optional and a zone (`Z`, `+02:00`, `+0200`); a time without a
 * zone is UTC. The calendar is checked: Date.parse would take 2026-02-30 for March 2nd.
 */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

export const ISO_TIME_EXPECTED =
  'expected an ISO 8601 time such as 2026-01-31T12:00:00Z (or a date, 2026-01-31, meaning midnight UTC)';

/** Epoch milliseconds, or undefined if `text` is not such a time. */
export function parseIsoTime(text: string): number | undefined {
  const match = ISO_TIME.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1) return undefined;
  if (probe.getUTCDate() !== day || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  // Milliseconds are all a record holds.
  const millis = fraction === '' ? '' : fraction.slice(0, 4).padEnd(4, '0');
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
