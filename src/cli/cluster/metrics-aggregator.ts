import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** A worker that does not answer within this is left out of the scrape. */
const COLLECT_TIMEOUT_MS = 2000;

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/**
 * `/metrics` with workers: whichever worker a scrape reaches asks the primary, which
 * collects every worker's metrics (prom-client's JSON) and merges them with prom-client's
 * AggregatorRegistry: counters and histograms summed, gauges as each declares (key state,
 * the same in every worker, by its maximum).
 */
export class MetricsAggregator {
  private nextId = 1;
  private readonly pending = new Map<number, { readonly got: WorkerMetrics[]; done: () => void }>();

  /** The Prometheus text of every worker's metrics together. */
  async scrape(workers: readonly Worker[]): Promise<string> {
    const id = this.nextId++;
    const live = workers.filter((w) => w.isConnected());
    const got: WorkerMetrics[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, COLLECT_TIMEOUT_MS);
      this.pending.set(id, {
        got,
        done: () => {
          if (got.length < live.length) return;
          clearTimeout(timer);
          resolve();
        },
      });
      for (const worker of live) worker.send({ sy: 'collect', id });
      if (live.length === 0) resolve();
    });
    this.pending.delete(id);
    return AggregatorRegistry.aggregate(got).metrics();
  }

  /** One worker's answer to `collect`. */
  collected(id: number, metrics: unknown): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined || !Array.isArray(metrics)) return;
    waiting.got.push(metrics as WorkerMetrics);
    waiting.done();
  }
}
