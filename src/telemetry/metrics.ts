import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { BreakerState } from '../breaker/circuit-breaker.js';
import type { ProviderBreakers } from '../breaker/provider-breakers.js';
import type { DumpStats } from '../dump/dump-writer.js';
import type { Pool } from '../keypool/pool.js';
import type { McpServerStatus } from '../mcp/mcp-hub.js';
import type { DatabaseCheck } from '../recorder/recording.js';
import { BoundCounter, BoundGauge, BoundHistogram } from './bound-series.js';
import { ModelLabels } from './model-labels.js';

/**
 * Every metric the gateway exports, in this one file, all named `switchyard_…`. Each says
 * its worst-case label cardinality. No label ever holds a user, a token or a key: keys are
 * their pool index (the hint only in `switchyard_key_info`), models are capped by
 * ModelLabels (50 names plus `other`), providers and MCP servers come from the
 * configuration. Per request the metrics only increment pre-bound children (see
 * metrics-observer.ts); gauges of state (keys, breakers, recorder, dump, MCP) are read when
 * Prometheus scrapes.
 */

/** What the scrape-time gauges read, supplied by the gateway. */
export interface MetricSources {
  readonly providers: readonly {
    readonly name: string;
    readonly pool: Pool;
    readonly breakers: ProviderBreakers | undefined;
  }[];
  recorder(): DatabaseCheck;
  dump(): DumpStats;
  /** Undefined without `mcp_servers`. */
  mcp(): readonly McpServerStatus[] | undefined;
}

const KEY_STATES = ['valid', 'temporary', 'permanent'] as const;
const MCP_STATES = ['connecting', 'ready', 'down'] as const;
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Seconds; interceptions include whole streams and agentic loops. */
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
/** Seconds to a status line or an answer's head. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface GatewayMetricsOptions {
  /** One registry per gateway (tests, several gateways in one process); a new one by default. */
  readonly registry?: Registry;
  /** Process metrics (CPU, memory, event loop, GC); on by default. */
  readonly processMetrics?: boolean;
}

export class GatewayMetrics {
  readonly registry: Registry;
  readonly models = new ModelLabels();

  // P providers, M ≤ 51 models, A = 4 APIs (three bridged, passthrough), O = 5 outcomes,
  // C = 5 clients: P × 51 × 4 × 5 × 5 (in practice a few dozen series per provider).
  readonly interceptions: BoundCounter;
  // P.
  readonly inFlight: BoundGauge;
  // P × 4 APIs × 14 buckets.
  readonly duration: BoundHistogram;
  // P × 4 APIs × 14 buckets.
  readonly timeToFirstByte: BoundHistogram;
  // P × 14 buckets.
  readonly upstreamLatency: BoundHistogram;
  // P × 6 status classes × 2.
  readonly upstreamAttempts: BoundCounter;
  // P × K keys × 3 states.
  readonly keyTransitions: BoundCounter;
  // P × 2 kinds.
  readonly poolExhaustions: BoundCounter;
  // P × 7 buckets.
  readonly failovers: BoundHistogram;
  // P × 51 models × 5 types.
  readonly tokens: BoundCounter;
  // P × 51 models.
  readonly cost: BoundCounter;
  // S servers × T tools of theirs (configured, filtered by tool_allow/deny) × 2 outcomes.
  readonly toolCalls: BoundCounter;
  // P × 3 APIs × 51 models × 3 states.
  readonly breakerTransitions: BoundCounter;
  // P × 3 APIs × 51 models × 2 states.
  readonly breakerRejections: BoundCounter;

  constructor(sources: MetricSources, options: GatewayMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    this.registry = registry;
    const registers = [registry];
    if (options.processMetrics !== false)
      collectDefaultMetrics({ register: registry, prefix: 'switchyard_' });

    this.interceptions = new BoundCounter(
      'switchyard_interceptions_total',
      'Requests that went upstream (bridged and passthrough), by how they ended.',
      ['provider', 'model', 'api', 'outcome', 'client'],
      registry,
    );
    this.inFlight = new BoundGauge(
      'switchyard_interceptions_in_flight',
      'Interceptions running now.',
      ['provider'],
      registry,
    );
    this.duration = new BoundHistogram(
      'switchyard_interception_duration_seconds',
      'From the request arriving to the interception ending (whole streams and tool loops).',
      ['provider', 'api'],
      DURATION_BUCKETS,
      registry,
    );
    this.timeToFirstByte = new BoundHistogram(
      'switchyard_time_to_first_byte_seconds',
      "From the request arriving to the client's status line going out.",
      ['provider', 'api'],
      LATENCY_BUCKETS,
      registry,
    );
    this.upstreamLatency = new BoundHistogram(
      'switchyard_upstream_latency_seconds',
      "Per upstream attempt: from sending the request to the answer's head (or the failure).",
      ['provider'],
      LATENCY_BUCKETS,
      registry,
    );
    this.upstreamAttempts = new BoundCounter(
      'switchyard_upstream_attempts_total',
      'Upstream attempts (one per key tried), by status class (none: no answer) and whether the gateway moved on to another key after it.',
      ['provider', 'status_class', 'failed_over'],
      registry,
    );
    this.keyTransitions = new BoundCounter(
      'switchyard_key_transitions_total',
      "Key state changes made by this process (provider answers, operators, re-checks); other replicas' changes are counted by them.",
      ['provider', 'key_index', 'to'],
      registry,
    );
    this.poolExhaustions = new BoundCounter(
      'switchyard_pool_exhaustions_total',
      'Requests answered with no usable key left: rate-limited (429) or permanent (every key failed authentication, 502).',
      ['provider', 'kind'],
      registry,
    );
    this.failovers = new BoundHistogram(
      'switchyard_failovers_per_request',
      'Keys failed over from, per interception (over every upstream call of a tool loop).',
      ['provider'],
      [0, 1, 2, 3, 5, 10],
      registry,
    );
    this.tokens = new BoundCounter(
      'switchyard_tokens_total',
      'Tokens reported by the providers, by type (input, output, cache_read, cache_creation, reasoning).',
      ['provider', 'model', 'type'],
      registry,
    );
    this.cost = new BoundCounter(
      'switchyard_cost_usd_total',
      'Estimated cost in US dollars of priced interceptions.',
      ['provider', 'model'],
      registry,
    );
    this.toolCalls = new BoundCounter(
      'switchyard_tool_calls_total',
      'Injected MCP tool calls run by the gateway, by outcome (ok, error).',
      ['server', 'tool', 'outcome'],
      registry,
    );
    this.breakerTransitions = new BoundCounter(
      'switchyard_circuit_breaker_transitions_total',
      'Circuit breaker state changes.',
      ['provider', 'api', 'model', 'to'],
      registry,
    );
    this.breakerRejections = new BoundCounter(
      'switchyard_circuit_breaker_rejections_total',
      'Requests refused with 503 by an open (or saturated half-open) breaker, without calling upstream.',
      ['provider', 'api', 'model', 'state'],
      registry,
    );

    this.defineStateGauges(sources, registers);
  }

  /** Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Gauges computed at scrape time from the gateway's own state: nothing per request. */
  private defineStateGauges(sources: MetricSources, registers: Registry[]): void {
    // P × K keys: one series per key, value 1.
    new Gauge({
      name: 'switchyard_key_info',
      // Every worker mirrors the same shared key state: summed over workers it would multiply.
      aggregator: 'max',
      help: "Each pool key's masked hint (never the key), to tell key_index apart.",
      labelNames: ['provider', 'key_index', 'key_hint'] as const,
      registers,
      collect() {
        this.reset();
        for (const provider of sources.providers) {
          for (const key of provider.pool.keys) {
            this.labels(provider.name, String(key.index), key.hint).set(1);
          }
        }
      },
    });
    // P × K keys × 3 states.
    new Gauge({
      name: 'switchyard_key_state',
      // Every worker mirrors the same shared key state: summed over workers it would multiply.
      aggregator: 'max',
      help: "1 for each key's current state (valid, temporary, permanent), 0 for the others.",
      labelNames: ['provider', 'key_index', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const provider of sources.providers) {
          for (const key of provider.pool.keys) {
            const state = key.state();
            const index = String(key.index);
            for (const s of KEY_STATES)
              this.labels(provider.name, index, s).set(s === state ? 1 : 0);
          }
        }
      },
    });
    // P × K keys.
    new Gauge({
      name: 'switchyard_key_cooldown_remaining_seconds',
      // Every worker mirrors the same shared key state: summed over workers it would multiply.
      aggregator: 'max',
      help: 'Seconds until a rate-limited key is tried again; 0 for a key that is not cooling down.',
      labelNames: ['provider', 'key_index'] as const,
      registers,
      collect() {
        this.reset();
        for (const provider of sources.providers) {
          for (const key of provider.pool.keys) {
            this.labels(provider.name, String(key.index)).set(key.cooldownRemainingMs() / 1000);
          }
        }
      },
    });
    const models = this.models;
    // P × 3 APIs × 51 models: only breakers that hold something (a failure, open, half-open).
    new Gauge({
      name: 'switchyard_circuit_breaker_state',
      help: 'Circuit breakers that are not idle: 0 closed with failures counted, 1 half-open, 2 open (the worst of the models folded into one label).',
      labelNames: ['provider', 'api', 'model'] as const,
      registers,
      collect() {
        this.reset();
        const worst = new Map<
          string,
          { provider: string; api: string; model: string; value: number }
        >();
        for (const provider of sources.providers) {
          for (const breaker of provider.breakers?.snapshot() ?? []) {
            const model = models.label(breaker.model);
            const id = `${provider.name}\n${breaker.api}\n${model}`;
            const value = BREAKER_VALUE[breaker.state];
            const seen = worst.get(id);
            if (seen === undefined)
              worst.set(id, { provider: provider.name, api: breaker.api, model, value });
            else seen.value = Math.max(seen.value, value);
          }
        }
        for (const b of worst.values()) this.labels(b.provider, b.api, b.model).set(b.value);
      },
    });
    // 1 series each.
    new Gauge({
      name: 'switchyard_recorder_queue_depth',
      help: 'Interceptions waiting to be written to the database (0 with database: off).',
      registers,
      collect() {
        const status = sources.recorder();
        this.set(status.engine === 'off' ? 0 : status.queued);
      },
    });
    new Gauge({
      name: 'switchyard_recorder_queue_capacity',
      help: "The recorder queue's capacity; past it interceptions are dropped.",
      registers,
      collect() {
        const status = sources.recorder();
        this.set(status.engine === 'off' ? 0 : status.capacity);
      },
    });
    const recorderCounter = (
      name: string,
      help: string,
      read: (status: Exclude<DatabaseCheck, { engine: 'off' }>) => number,
    ): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          const status = sources.recorder();
          this.reset();
          this.inc(status.engine === 'off' ? 0 : read(status));
        },
      });
    };
    recorderCounter(
      'switchyard_recorder_dropped_total',
      'Interceptions lost because the recorder queue was full (or still queued at shutdown).',
      (s) => s.dropped,
    );
    recorderCounter(
      'switchyard_recorder_recorded_total',
      'Interceptions written to the database.',
      (s) => s.recorded,
    );
    recorderCounter(
      'switchyard_recorder_failed_writes_total',
      'Batch writes that failed and were retried.',
      (s) => s.failed_writes,
    );
    recorderCounter(
      'switchyard_recorder_rejected_total',
      'Interceptions the database refused as data (not retried).',
      (s) => s.rejected,
    );
    const dumpCounter = (name: string, help: string, read: (stats: DumpStats) => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(sources.dump()));
        },
      });
    };
    dumpCounter(
      'switchyard_dump_written_bytes_total',
      'Bytes written by the API dump.',
      (s) => s.writtenBytes,
    );
    dumpCounter(
      'switchyard_dump_dropped_bytes_total',
      'Bytes the API dump could not write (queue full, or the file failed).',
      (s) => s.droppedBytes,
    );
    dumpCounter(
      'switchyard_dump_failed_writes_total',
      'API dump writes the file system refused (a full disk…).',
      (s) => s.failedWrites,
    );
    dumpCounter(
      'switchyard_dump_truncated_files_total',
      'API dump files cut short because the queue was full.',
      (s) => s.truncatedFiles,
    );
    new Gauge({
      name: 'switchyard_dump_queued_bytes',
      help: 'Bytes waiting to be written by the API dump.',
      registers,
      collect() {
        this.set(sources.dump().queuedBytes);
      },
    });
    // S servers × 3 states.
    new Gauge({
      name: 'switchyard_mcp_server_state',
      help: "1 for each MCP server's current state (connecting, ready, down), 0 for the others.",
      labelNames: ['server', 'state'] as const,
      registers,
      collect() {
        this.reset();
        for (const server of sources.mcp() ?? []) {
          for (const s of MCP_STATES) this.labels(server.name, s).set(s === server.state ? 1 : 0);
        }
      },
    });
    // S servers.
    new Gauge({
      name: 'switchyard_mcp_server_tools',
      help: 'Tools of each MCP server injected now (after tool_allow and tool_deny).',
      labelNames: ['server'] as const,
      registers,
      collect() {
        this.reset();
        for (const server of sources.mcp() ?? []) this.labels(server.name).set(server.tools);
      },
    });
  }
}
