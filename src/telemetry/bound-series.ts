import type { Aggregator, Metric, Registry } from 'prom-client';
import { LabelTree } from './label-tree.js';

/** A sample as prom-client's registry formats it (histogram series name their own metric). */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** What prom-client's registry asks of a metric: `get()` for the text and the JSON. */
interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: Aggregator;
  readonly values: Sample[];
}

/**
 * Request-path metrics kept as plain numbers in children bound once per label combination,
 * exported through prom-client's registry (text format, JSON for aggregating workers,
 * default metrics). prom-client's own counters and histograms hash and validate their
 * label object on every increment, about a microsecond each; ten of them per request cost
 * more than the rest of the metrics together (bench/telemetry-cost.ts).
 */
abstract class BoundFamily<C> {
  readonly aggregator: Aggregator = 'sum';
  abstract readonly type: Exported['type'];
  protected readonly children: { readonly values: readonly string[]; readonly child: C }[] = [];
  private tree: LabelTree<C>;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    this.tree = this.newTree();
    // The registry only calls get() and reset(), which every family implements.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The child for these label values, in labelNames' order; bound on first use. */
  labels(...values: string[]): C {
    return this.tree.get(...values);
  }

  reset(): void {
    this.children.length = 0;
    this.tree = this.newTree();
  }

  protected abstract make(): C;

  protected labelsOf(values: readonly string[]): Record<string, string> {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
    return labels;
  }

  get(): Promise<Exported> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    });
  }

  protected abstract values(): Sample[];

  private newTree(): LabelTree<C> {
    return new LabelTree((values) => {
      const child = this.make();
      this.children.push({ values: [...values], child });
      return child;
    });
  }
}

export interface CounterChild {
  value: number;
}

/** A counter: `child.value += n`, never decreasing. */
export class BoundCounter extends BoundFamily<CounterChild> {
  readonly type: Exported['type'] = 'counter';

  protected make(): CounterChild {
    return { value: 0 };
  }

  protected values(): Sample[] {
    return this.children.map(({ values, child }) => ({
      labels: this.labelsOf(values),
      value: child.value,
    }));
  }
}

/** A gauge: `child.value` set, raised and lowered. */
export class BoundGauge extends BoundCounter {
  override readonly type: Exported['type'] = 'gauge';
}

/** One histogram series: counts per bucket (not cumulative), sum and count. */
export class HistogramChild {
  sum = 0;
  count = 0;
  readonly counts: number[];

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }
}

export class BoundHistogram extends BoundFamily<HistogramChild> {
  readonly type: Exported['type'] = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  protected make(): HistogramChild {
    return new HistogramChild(this.buckets);
  }

  protected values(): Sample[] {
    const out: Sample[] = [];
    for (const { values, child } of this.children) {
      const labels = this.labelsOf(values);
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += child.counts[i] ?? 0;
        out.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le },
          value: cumulative,
        });
      });
      out.push(
        {
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le: '+Inf' },
          value: child.count,
        },
        { metricName: `${this.name}_sum`, labels, value: child.sum },
        { metricName: `${this.name}_count`, labels, value: child.count },
      );
    }
    return out;
  }
}
