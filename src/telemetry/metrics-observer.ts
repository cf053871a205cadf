import type { ProviderBreakers } from '../breaker/provider-breakers.js';
import type {
  InterceptionEnd,
  InterceptionObserver,
  InterceptionStart,
  InterceptionWatch,
} from '../interception/observer.js';
import type { Pool } from '../keypool/pool.js';
import type { ToolCallRecord } from '../recorder/interception.js';
import type { CounterChild, HistogramChild } from './bound-series.js';
import type { GatewayMetrics } from './metrics.js';

const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

function statusClass(status: number | undefined): (typeof STATUS_CLASSES)[number] {
  if (status === undefined) return 'none';
  return STATUS_CLASSES[Math.min(5, Math.max(1, Math.floor(status / 100)))] ?? 'none';
}

const TOKEN_TYPES = [
  ['input', 'input'],
  ['output', 'output'],
  ['cacheRead', 'cache_read'],
  ['cacheCreation', 'cache_creation'],
  ['reasoning', 'reasoning'],
] as const;

/** One provider's children that need no other label, bound when the provider is first seen. */
interface ProviderSeries {
  readonly name: string;
  readonly inFlight: CounterChild;
  readonly upstreamLatency: HistogramChild;
  readonly failovers: HistogramChild;
}

/**
 * Feeds the metrics from the interception events: increments of pre-bound children and
 * nothing else, so a request pays a few map lookups. Pool and breaker events are
 * subscribed to once, per provider.
 */
export class MetricsObserver implements InterceptionObserver {
  private readonly providers = new Map<string, ProviderSeries>();

  constructor(
    private readonly metrics: GatewayMetrics,
    providers: readonly {
      readonly name: string;
      readonly pool: Pool;
      readonly breakers: ProviderBreakers | undefined;
    }[],
  ) {
    for (const provider of providers)
      this.subscribe(provider.name, provider.pool, provider.breakers);
  }

  start(start: InterceptionStart): InterceptionWatch {
    const series = this.series(start.provider);
    series.inFlight.value++;
    // Only what the counts need is kept: never the request's headers or body.
    return new WatchedInterception(
      this,
      series,
      start.dialect ?? 'passthrough',
      start.kind === 'passthrough' ? undefined : (start.model ?? ''),
      start.startedAt,
    );
  }

  /** Counts an interception that ended. */
  ended(
    series: ProviderSeries,
    api: string,
    requestModel: string | undefined,
    startedAt: number,
    end: InterceptionEnd,
  ): void {
    const m = this.metrics;
    const provider = series.name;
    const model =
      requestModel === undefined
        ? 'none'
        : end.outcome === 'completed'
          ? m.models.admit(requestModel)
          : m.models.label(requestModel);
    const client = end.record?.client.name ?? 'other';
    m.interceptions.labels(provider, model, api, end.outcome, client).value++;
    m.duration.labels(provider, api).observe((end.endedAt - startedAt) / 1000);
    let failedOver = 0;
    for (const attempt of end.attempts) {
      if (attempt.failedOver) failedOver++;
      m.upstreamAttempts.labels(
        provider,
        statusClass(attempt.status),
        attempt.failedOver ? 'true' : 'false',
      ).value++;
      series.upstreamLatency.observe(attempt.latencyMs / 1000);
    }
    series.failovers.observe(failedOver);
    const record = end.record;
    if (record === undefined) return;
    const { usage } = record;
    for (const [field, type] of TOKEN_TYPES) {
      const count = usage[field];
      if (count > 0) m.tokens.labels(provider, model, type).value += count;
    }
    if (record.costUsd !== undefined && record.costUsd > 0) {
      m.cost.labels(provider, model).value += record.costUsd;
    }
  }

  committed(series: ProviderSeries, api: string, ms: number): void {
    this.metrics.timeToFirstByte.labels(series.name, api).observe(ms / 1000);
  }

  toolCall(call: ToolCallRecord): void {
    // The client's own tools are named by the client: only the gateway's are counted.
    if (!call.injected || call.server === undefined) return;
    this.metrics.toolCalls.labels(call.server, call.tool, call.error === undefined ? 'ok' : 'error')
      .value++;
  }

  private series(provider: string): ProviderSeries {
    let series = this.providers.get(provider);
    if (series === undefined) {
      const m = this.metrics;
      series = {
        name: provider,
        inFlight: m.inFlight.labels(provider),
        upstreamLatency: m.upstreamLatency.labels(provider),
        failovers: m.failovers.labels(provider),
      };
      this.providers.set(provider, series);
    }
    return series;
  }

  private subscribe(provider: string, pool: Pool, breakers: ProviderBreakers | undefined): void {
    const m = this.metrics;
    this.series(provider);
    // Counters start at 0, so that the first event is an increase Prometheus can see.
    for (const key of pool.keys) {
      for (const to of ['temporary', 'permanent', 'valid']) {
        m.keyTransitions.labels(provider, String(key.index), to);
      }
    }
    for (const kind of ['rate-limited', 'permanent']) m.poolExhaustions.labels(provider, kind);
    pool.onTransition((transition) => {
      // Another replica's mark, heard through the shared key state: that replica counted it.
      if (transition.cause.source === 'shared') return;
      m.keyTransitions.labels(provider, String(transition.key.index), transition.to).value++;
    });
    pool.onExhaustion((kind) => {
      m.poolExhaustions.labels(provider, kind).value++;
    });
    breakers?.onTransition((event) => {
      m.breakerTransitions.labels(provider, event.api, m.models.label(event.model), event.to)
        .value++;
    });
    breakers?.onRejection((rejection) => {
      m.breakerRejections.labels(
        provider,
        rejection.api,
        m.models.label(rejection.model),
        rejection.state,
      ).value++;
    });
  }
}

/** One interception being counted: a method per event, no closure per request. */
class WatchedInterception implements InterceptionWatch {
  constructor(
    private readonly observer: MetricsObserver,
    private readonly series: ProviderSeries,
    private readonly api: string,
    /** Undefined for passthrough. */
    private readonly model: string | undefined,
    private readonly startedAt: number,
  ) {}

  committed(at: number): void {
    this.observer.committed(this.series, this.api, at - this.startedAt);
  }

  toolCall(call: ToolCallRecord): void {
    this.observer.toolCall(call);
  }

  end(end: InterceptionEnd): void {
    this.series.inFlight.value--;
    this.observer.ended(this.series, this.api, this.model, this.startedAt, end);
  }
}
