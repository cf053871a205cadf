import autocannon from 'autocannon';
import type { ChildHandle } from './processes.js';
import { percentile, Sampler, sorted } from './stats.js';
import type { Endpoint } from './targets.js';

export interface LoadOptions {
  readonly endpoint: Endpoint;
  readonly body: string;
  readonly connections: number;
  readonly durationS: number;
  /** How often autocannon checks whether the run is over. */
  readonly sampleIntMs: number;
  /** The target's process: its CPU time and peak RSS are measured over the run. */
  readonly process: ChildHandle | undefined;
  /**
   * Requests per second over all connections (open loop); none for a closed loop. CPU per
   * request compares fairly only at the same rate: a process serving fewer requests per
   * second batches less and pays more per request.
   */
  readonly rate?: number;
  /** Called once a second while the load runs (e.g. a metrics scrape). */
  readonly everySecond?: () => void;
}

/** One autocannon run, raw: several runs of the same setup are summarised together. */
export interface LoadRun {
  readonly connections: number;
  /** Latency of every 2xx answer, milliseconds. */
  readonly latencies: number[];
  readonly elapsedS: number;
  readonly statuses: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** CPU time the target process used during the run. */
  readonly cpuMs: number | undefined;
  readonly rssPeakMb: number | undefined;
}

export interface LoadResult {
  readonly connections: number;
  readonly runs: number;
  /** Successful (2xx) responses. */
  readonly ok: number;
  readonly rps: number;
  /** Latency of 2xx responses, milliseconds, sub-millisecond precision. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statuses: Record<string, number>;
  readonly durationS: number;
  /** CPU time of the target process per successful request. */
  readonly cpuUsPerRequest: number | undefined;
  readonly rssPeakMb: number | undefined;
  /**
   * Each run's own figures, in round order: the targets of a round ran back to back, so
   * round i of two targets pairs into one ratio, and the ratios' range is the spread.
   * Absent in result files written before it was recorded.
   */
  readonly perRun?: readonly RunFigures[];
}

/** One run's throughput, tail latency and CPU time per request. */
export interface RunFigures {
  readonly rps: number;
  readonly p99Ms: number;
  readonly cpuUsPerRequest: number | undefined;
}

function runFigures(run: LoadRun): RunFigures {
  const ok = run.latencies.length;
  return {
    rps: ok / run.elapsedS,
    p99Ms: percentile(sorted(run.latencies), 99),
    cpuUsPerRequest: run.cpuMs === undefined || ok === 0 ? undefined : (run.cpuMs * 1000) / ok,
  };
}

/**
 * A closed-loop load run with autocannon: `connections` keep-alive connections, each sending
 * the next request as soon as the previous answer is complete. Latencies are collected from
 * autocannon's per-response events (its own histogram rounds to whole milliseconds).
 */
export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const target = options.process;
  const cpuBefore = target?.cpuMs();
  const rss = target === undefined ? undefined : new Sampler(() => target.rssMb(), 250);
  const ticker =
    options.everySecond === undefined ? undefined : setInterval(options.everySecond, 1000);
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.endpoint.url,
        method: 'POST',
        headers: { ...options.endpoint.headers, 'content-type': 'application/json' },
        body: options.body,
        connections: options.connections,
        duration: options.durationS,
        sampleInt: options.sampleIntMs,
        pipelining: 1,
        timeout: 10,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
      },
      (error: unknown, done: autocannon.Result) => {
        if (error === null || error === undefined) resolve(done);
        else reject(error instanceof Error ? error : new Error('autocannon failed'));
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
  const elapsedS = (performance.now() - started) / 1000;
  clearInterval(ticker);
  const cpuAfter = target?.cpuMs();
  return {
    connections: options.connections,
    latencies,
    elapsedS,
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    rssPeakMb: rss?.stop(),
  };
}

/** Several runs of the same target and load as one: totals over total time, pooled latencies. */
export function summarize(runs: readonly LoadRun[]): LoadResult {
  const all = sorted(runs.flatMap((r) => r.latencies));
  const ok = all.length;
  const durationS = runs.reduce((sum, r) => sum + r.elapsedS, 0);
  const statuses: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, n] of Object.entries(run.statuses)) {
      statuses[status] = (statuses[status] ?? 0) + n;
    }
  }
  const cpu = runs.map((r) => r.cpuMs);
  const rss = runs.map((r) => r.rssPeakMb).filter((v): v is number => v !== undefined);
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    connections: runs[0]?.connections ?? 0,
    runs: runs.length,
    ok,
    rps: ok / durationS,
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    non2xx: sum(runs.map((r) => r.non2xx)),
    errors: sum(runs.map((r) => r.errors)),
    timeouts: sum(runs.map((r) => r.timeouts)),
    statuses,
    durationS,
    cpuUsPerRequest:
      ok === 0 || cpu.some((v) => v === undefined)
        ? undefined
        : (sum(cpu.filter((v): v is number => v !== undefined)) * 1000) / ok,
    rssPeakMb: rss.length === 0 ? undefined : Math.max(...rss),
    perRun: runs.map(runFigures),
  };
}
