const integer = new Intl.NumberFormat('en-US');

export function count(n: number): string {
  return integer.format(n);
}

/** A cost in dollars with a few significant digits; null (unpriced) as a dash. */
export function cost(usd: number | null): string {
  if (usd === null) return '—';
  if (usd === 0) return '$0';
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(3)}`;
}

/** A countdown: `42s`, `3m 05s`, `1h 02m`. */
export function countdown(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** An ISO time from the API in the viewer's local time, to the second. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

export function milliseconds(ms: number | null): string {
  return ms === null ? '—' : `${count(ms)} ms`;
}

/** A table's start time: month, day and time to the second, in the viewer's time. */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      });
}
