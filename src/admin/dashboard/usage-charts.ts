import uPlot from 'uplot';
import type { AdminClient } from './admin-client.js';
import type { SeriesBucket, SeriesBy, UsagePoint, UsageSeries } from './api-types.js';
import { fill, h } from './element.js';
import { cost, count } from './format.js';
import { Poller } from './poller.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const RANGES: Readonly<Record<string, { label: string; span: number; bucket: SeriesBucket }>> = {
  '24h': { label: 'Last 24 hours, hourly', span: DAY, bucket: 'hour' },
  '7d': { label: 'Last 7 days, hourly', span: 7 * DAY, bucket: 'hour' },
  '30d': { label: 'Last 30 days, daily', span: 30 * DAY, bucket: 'day' },
};

/** Beyond this many keys the smallest are summed into one line. */
const MAX_LINES = 8;
const OTHERS = '(others)';
const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#4b5563',
  '#65a30d',
];

interface Metric {
  readonly id: string;
  readonly title: string;
  readonly value: (point: UsagePoint) => number;
  readonly format: (value: number) => string;
}

const METRICS: readonly Metric[] = [
  { id: 'requests', title: 'Requests', value: (p) => p.requests, format: count },
  {
    id: 'tokens',
    title: 'Tokens (input + output)',
    value: (p) => p.input + p.output,
    format: count,
  },
  { id: 'cost', title: 'Cost (USD, priced models)', value: (p) => p.cost_usd ?? 0, format: cost },
];

/** Bucket starts from the one holding `since` to the one holding `until`, in ms. */
function bucketStarts(since: number, until: number, width: number): number[] {
  const starts: number[] = [];
  for (let t = since - (since % width); t < until; t += width) starts.push(t);
  return starts;
}

/** The keys to draw, most requests first, the rest folded into OTHERS. */
function lineKeys(points: readonly UsagePoint[]): {
  keys: string[];
  lineOf: (key: string) => string;
} {
  const totals = new Map<string, number>();
  for (const p of points) totals.set(p.key, (totals.get(p.key) ?? 0) + p.requests);
  const ranked = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
  if (ranked.length <= MAX_LINES) return { keys: ranked, lineOf: (key) => key };
  const shown = new Set(ranked.slice(0, MAX_LINES - 1));
  return {
    keys: [...shown, OTHERS],
    lineOf: (key) => (shown.has(key) ? key : OTHERS),
  };
}

/**
 * Requests, tokens and cost over time, one line per model (or user, provider, client), from
 * `GET /admin/api/usage/series`; refreshed every 30 s.
 */
export class UsageCharts {
  readonly element: HTMLElement;
  private readonly by: HTMLSelectElement;
  private readonly range: HTMLSelectElement;
  private readonly charts: HTMLElement;
  private readonly note: HTMLElement;
  private readonly poller: Poller;
  private plots: uPlot[] = [];
  private readonly resize = (): void => {
    for (const plot of this.plots) plot.setSize({ width: this.width(), height: plot.height });
  };

  constructor(
    private readonly client: AdminClient,
    private readonly report: (error: unknown) => void,
  ) {
    this.by = h(
      'select',
      { name: 'by' },
      ...(['model', 'user', 'provider', 'client'] as const).map((by) =>
        h('option', { value: by }, `by ${by}`),
      ),
    );
    this.range = h(
      'select',
      { name: 'range' },
      ...Object.entries(RANGES).map(([id, range]) => h('option', { value: id }, range.label)),
    );
    this.charts = h('div', { class: 'charts' });
    this.note = h('p', { class: 'muted note' });
    this.element = h(
      'section',
      { id: 'usage', 'aria-labelledby': 'usage-title' },
      h('h2', { id: 'usage-title' }, 'Usage'),
      h('div', { class: 'controls' }, this.by, this.range),
      this.charts,
      this.note,
    );
    this.poller = new Poller(30_000, () => this.refresh());
    for (const select of [this.by, this.range]) {
      select.addEventListener('change', () => {
        void this.poller.now();
      });
    }
  }

  start(): void {
    this.poller.start();
    window.addEventListener('resize', this.resize);
  }

  stop(): void {
    this.poller.stop();
    window.removeEventListener('resize', this.resize);
    this.destroy();
  }

  private width(): number {
    return Math.max(280, this.charts.clientWidth - 2);
  }

  private destroy(): void {
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
  }

  private async refresh(): Promise<void> {
    const range = RANGES[this.range.value] ?? RANGES['24h'];
    if (range === undefined) return;
    const by = this.by.value as SeriesBy;
    const until = Date.now();
    const width = range.bucket === 'hour' ? HOUR : DAY;
    const starts = bucketStarts(until - range.span, until, width);
    const since = starts[0] ?? until;
    try {
      const series = await this.client.get<UsageSeries>(
        '/usage/series',
        new URLSearchParams({ bucket: range.bucket, by, since: new Date(since).toISOString() }),
      );
      this.draw(series.points, starts, width);
    } catch (error) {
      this.report(error);
    }
  }

  private draw(points: readonly UsagePoint[], starts: readonly number[], width: number): void {
    this.destroy();
    fill(this.charts);
    const { keys, lineOf } = lineKeys(points);
    const unpriced = points.reduce((sum, p) => sum + p.unpriced, 0);
    this.note.textContent =
      points.length === 0
        ? 'Nothing recorded in this range.'
        : unpriced === 0
          ? ''
          : `${count(unpriced)} requests are unpriced (their model is not in the price table); the cost chart leaves them out.`;
    const slot = new Map(starts.map((start, i) => [start, i]));
    for (const metric of METRICS) {
      const lines = keys.map(() => starts.map(() => 0));
      for (const p of points) {
        const start = Date.parse(p.start);
        const i = slot.get(start - (start % width));
        const line = lines[keys.indexOf(lineOf(p.key))];
        if (i === undefined || line === undefined) continue;
        line[i] = (line[i] ?? 0) + metric.value(p);
      }
      const box = h(
        'figure',
        { class: 'chart', 'data-metric': metric.id },
        h('figcaption', {}, metric.title),
      );
      this.charts.append(box);
      const options: uPlot.Options = {
        width: this.width(),
        height: 200,
        series: [
          {},
          ...keys.map((key, n) => ({
            label: key,
            stroke: PALETTE[n % PALETTE.length] ?? '#000',
            width: 2,
            points: { show: starts.length <= 48 },
            value: (_plot: uPlot, value: number | null) =>
              value === null ? '—' : metric.format(value),
          })),
        ],
        axes: [{}, { values: (_plot, ticks) => ticks.map((t) => metric.format(t)), size: 70 }],
        scales: { y: { range: (_plot, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        legend: { live: true },
      };
      this.plots.push(new uPlot(options, [starts.map((t) => t / 1000), ...lines], box));
    }
  }
}
