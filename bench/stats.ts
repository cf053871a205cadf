/** Percentiles by the nearest-rank method; NaN for no samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function sorted(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: Iterable<number>): number {
  return percentile(sorted(values), 50);
}

/** Samples a reading every `intervalMs` until stopped; keeps the peak and the last value. */
export class Sampler {
  peak = Number.NaN;
  last = Number.NaN;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly read: () => number | undefined,
    intervalMs: number,
  ) {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, intervalMs);
  }

  sample(): void {
    const value = this.read();
    if (value === undefined) return;
    this.last = value;
    if (!(value <= this.peak)) this.peak = value;
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}
