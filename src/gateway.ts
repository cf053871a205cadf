import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DashboardAssets } from './admin/dashboard-assets.js';
import { startGatewayAuth, type GatewayAuth } from './auth/gateway-auth.js';
import { GatewayTokens } from './auth/gateway-tokens.js';
import type { GatewayConfig } from './config/load.js';
import { applicableConfig, reloadDiff, type ReloadDiff } from './config/reload-diff.js';
import { ApiDump, dumpSettingsOf } from './dump/api-dump.js';
import { Exchange } from './interception/exchange.js';
import type { InterceptionObserver } from './interception/observer.js';
import { observeWith } from './interception/observers.js';
import { systemClock, type Clock } from './keypool/clock.js';
import { keyStateCheck } from './keypool/key-state/key-state-check.js';
import type { KeyStateStore } from './keypool/key-state/key-state-store.js';
import { openKeyStateStore, type PrimaryLink } from './keypool/key-state/open-key-state.js';
import type { Key } from './keypool/key.js';
import type { McpHub } from './mcp/mcp-hub.js';
import type { InterceptionSink } from './recorder/interception.js';
import { FanoutSink, LogSink } from './recorder/log-sink.js';
import { Pricer } from './recorder/pricing.js';
import { startRecording, type Recording, type RecordingDeps } from './recorder/recording.js';
import { answerMalformedRequest } from './server/malformed-request.js';
import {
  createRequestHandler,
  type MetricsExposition,
  type Readiness,
} from './server/request-handler.js';
import { RouteTable } from './server/route-table.js';
import type { Logger } from './log/logger.js';
import { GatewayMetrics, type GatewayMetricsOptions } from './telemetry/metrics.js';
import { MetricsObserver } from './telemetry/metrics-observer.js';
import type { Tracing } from './telemetry/tracing-handle.js';
import { openTracing, type TracingOptions } from './telemetry/tracing.js';
import { Provider, type ProviderSettings } from './upstream/provider.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Extra interception sinks (tests), besides the log and the database recorder. */
  readonly sinks?: readonly InterceptionSink[];
  /** Watchers of every interception as it happens (metrics, tracing, the dump; tests). */
  readonly observers?: readonly InterceptionObserver[];
  /** Recorder timers and queue tuning (tests, benchmarks). */
  readonly recorder?: Pick<RecordingDeps, 'tuning'>;
  /** A worker of `--workers N`: key state is the primary's (unless `redis` is set). */
  readonly primary?: PrimaryLink;
  /** A worker's /metrics: every worker's metrics, aggregated by the primary. */
  readonly metricsText?: () => Promise<string>;
  /**
   * Prometheus metrics, on by default with a registry of this gateway's own (a test may
   * pass one); `false` turns them off, and /metrics with them (benchmarks' baseline).
   */
  readonly metrics?: GatewayMetricsOptions | false;
  /**
   * Tracing: with a tracer provider given (tests), or with OTEL_EXPORTER_OTLP_ENDPOINT set;
   * `false` never (benchmarks' baseline).
   */
  readonly tracing?: TracingOptions | false;
  /** Where the built dashboard is (tests build their own); dist/dashboard/ otherwise. */
  readonly dashboardDir?: string;
}

/** What a request is served with: swapped whole by a reload, kept by requests in flight. */
interface Generation {
  readonly config: GatewayConfig;
  readonly providers: readonly Provider[];
  readonly mcp: McpHub | undefined;
  readonly routes: RouteTable;
  readonly handle: (exchange: Exchange) => void;
}

/** How long startup waits for the shared key state before serving on what it has. */
const KEY_STATE_START_WAIT_MS = 3000;

/** After the grace, how long requests still running get to write their last error event. */
const LAST_WORDS_MS = 1000;

/** The composition root: providers, auth, routes and the HTTP server, wired once. */
export class Gateway {
  /** The API dump (`dump_dir`); on or off, its settings can be swapped (reload). */
  readonly dump: ApiDump;
  /** Shares the pools' key state with other processes (Redis), or keeps it here. */
  readonly keyState: KeyStateStore;
  /** Undefined when turned off (benchmarks); `metrics.registry.getMetricsAsJSON()` for workers. */
  readonly metrics: GatewayMetrics | undefined;
  private readonly tracing: Tracing | undefined;
  private readonly server: Server;
  private readonly recording: Recording;
  private readonly auth: GatewayAuth;
  /** The dashboard's page and assets, loaded once: a reload does not rebuild them. */
  private readonly dashboard: DashboardAssets;
  private readonly clock: Clock;
  private generation: Generation;
  /** What /metrics serves: this gateway's metrics, or (a worker) every worker's. */
  private readonly exposition: MetricsExposition | undefined;
  private status: Readiness['status'] = 'starting';
  /** Past shutdown_delay: connections are no longer kept alive. */
  private draining = false;
  private readonly live = new Set<Exchange>();
  private shutdownStarted: Promise<void> | undefined;

  private constructor(
    private readonly options: GatewayOptions,
    private readonly logger: Logger,
    mcp: McpHub | undefined,
    recording: Recording,
    auth: GatewayAuth,
    keyState: KeyStateStore,
    tracing: Tracing | undefined,
  ) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const { config } = options;
    this.dump = new ApiDump(dumpSettingsOf(config), { logger });
    this.keyState = keyState;
    this.recording = recording;
    this.tracing = tracing;
    this.auth = auth;
    this.dashboard = new DashboardAssets(options.dashboardDir);
    const providers = config.providers.map((settings) => this.newProvider(settings));
    keyState.attach(providers.map((provider) => provider.pool));
    // The scrape reads the providers in force, whatever reloads came since.
    const current = (): readonly Provider[] => this.providers;
    this.metrics =
      options.metrics === false
        ? undefined
        : new GatewayMetrics(
            {
              get providers() {
                return current();
              },
              recorder: () => recording.status(),
              dump: () => this.dump.stats(),
              mcp: () => this.mcp?.status(),
            },
            options.metrics,
          );
    const { metricsText } = options;
    this.exposition =
      this.metrics === undefined || metricsText === undefined
        ? this.metrics
        : { contentType: this.metrics.contentType, text: metricsText };
    this.generation = this.serveWith(config, providers, mcp);
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      const exchange = new Exchange(req, res, clock.now());
      this.live.add(exchange);
      // While draining, answer what is in flight but let no connection linger afterwards.
      if (this.draining) res.shouldKeepAlive = false;
      res.once('close', () => {
        this.live.delete(exchange);
        if (this.draining) {
          setImmediate(() => {
            this.server.closeIdleConnections();
          });
        }
      });
      this.generation.handle(exchange);
    });
    this.server.on('clientError', (error, socket) => {
      answerMalformedRequest(error, socket, this.generation.routes, logger);
    });
  }

  /** The providers new requests are served by. */
  get providers(): readonly Provider[] {
    return this.generation.providers;
  }

  /** The MCP servers' tools; undefined without `mcp_servers`. */
  get mcp(): McpHub | undefined {
    return this.generation.mcp;
  }

  private newProvider(settings: ProviderSettings): Provider {
    const provider = new Provider(settings, this.clock, this.logger);
    const { tracing } = this;
    if (tracing !== undefined) {
      provider.onProbe((probe) => {
        tracing.probe(probe);
      });
    }
    return provider;
  }

  /** The configuration in force (settings that need a restart keep their first values). */
  get config(): GatewayConfig {
    return this.generation.config;
  }

  private serveWith(
    config: GatewayConfig,
    providers: readonly Provider[],
    mcp: McpHub | undefined,
  ): Generation {
    const routes = new RouteTable(providers);
    const observers: InterceptionObserver[] = [
      // First: the traceparent it puts on an attempt is then what the dump shows was sent.
      ...(this.tracing === undefined ? [] : [this.tracing.observer]),
      this.dump,
      ...(this.metrics === undefined ? [] : [new MetricsObserver(this.metrics, providers)]),
      ...(this.options.observers ?? []),
    ];
    const recorderSink = this.recording.sink === undefined ? [] : [this.recording.sink];
    const handle = createRequestHandler({
      clock: this.clock,
      logger: this.logger,
      sink: new FanoutSink(
        [new LogSink(this.logger), ...recorderSink, ...(this.options.sinks ?? [])],
        this.logger,
      ),
      routes,
      auth: {
        tokens: this.auth.tokens,
        allowByok: config.auth.allowByok,
        loading: this.auth.loading,
      },
      adminToken:
        config.adminToken === undefined
          ? undefined
          : new GatewayTokens([{ user: 'admin', token: config.adminToken }]),
      providers,
      dashboard: this.dashboard,
      records: this.recording.database,
      issuedTokens: this.auth.issued,
      bodyLimit: config.bodyLimit,
      forwardClientIp: config.forwardClientIp,
      tools: mcp,
      observer: observeWith(observers, this.logger),
      metrics: this.exposition,
      maxIterations: config.mcp.maxIterations,
      keepTexts:
        this.recording.sink === undefined
          ? { prompts: false, thoughts: false }
          : { prompts: config.recording.prompts, thoughts: config.recording.thoughts },
      // Costs go to the record, the metrics and observers given by an embedder: without
      // any of them none is computed, and the price table is never loaded.
      pricer:
        this.recording.sink !== undefined ||
        this.metrics !== undefined ||
        (this.options.observers?.length ?? 0) > 0
          ? new Pricer(config.prices)
          : undefined,
      readiness: () => ({ status: this.status, checks: this.checks() }),
    });
    return { config, providers, mcp, handle, routes };
  }

  /**
   * Applies a new configuration without dropping anything in flight: requests and streams
   * that started before keep the providers, pools and tools they started with; new ones get
   * the new. Providers whose settings did not change are kept as they are; in a changed one,
   * keys that remain (the same secret) keep their cooldowns. Disabled keys come back. Retired providers and MCP servers
   * close once the requests that may use them have ended. Settings that need a restart keep
   * their running values and are named in the result.
   */
  async reload(next: GatewayConfig): Promise<ReloadDiff> {
    if (this.shutdownStarted !== undefined) throw new Error('the gateway is shutting down');
    const before = this.generation;
    const diff = reloadDiff(before.config, next);
    const config = applicableConfig(before.config, next);
    const old = new Map(before.providers.map((p) => [p.name, p]));
    const changed = new Set(diff.providers.changed);
    const oldKeys = new Map<string, Key>();
    for (const provider of before.providers) {
      for (const key of provider.pool.keys) oldKeys.set(`${provider.name}\0${key.secret}`, key);
    }
    const providers = config.providers.map((settings) => {
      const kept = old.get(settings.name);
      if (kept !== undefined && !changed.has(settings.name)) return kept;
      const provider = this.newProvider(settings);
      for (const key of provider.pool.keys) {
        const was = oldKeys.get(`${settings.name}\0${key.secret}`);
        if (was === undefined) continue;
        const state = was.state();
        key.adopt({
          permanent: state === 'permanent',
          until: state === 'temporary' ? this.clock.now() + was.cooldownRemainingMs() : 0,
        });
      }
      return provider;
    });
    const retired = before.providers.filter((p) => !providers.includes(p));
    let mcp = before.mcp;
    let retiredMcp: McpHub | undefined;
    if (diff.mcpChanged) {
      retiredMcp = before.mcp;
      mcp = undefined;
      if (config.mcp.servers.length > 0) {
        const { McpHub: Hub } = await import('./mcp/mcp-hub.js');
        mcp = new Hub({ servers: config.mcp.servers, logger: this.logger, clock: this.clock });
      }
    }
    this.auth.tokens.replaceConfigured(config.auth.tokens);
    this.dump.configure(dumpSettingsOf(config));
    this.keyState.replacePools(providers.map((p) => p.pool));
    // A reload is how an operator says "I fixed it": disabled keys come back (the contract's
    // key-pool semantics), while cooldowns stay, since the provider set those itself.
    for (const provider of providers) {
      for (const key of provider.pool.keys) if (key.state() === 'permanent') key.enable();
    }
    // Requests already running hold the old generation; later ones get this one.
    const inFlight = [...this.live];
    this.generation = this.serveWith(config, providers, mcp);
    void mcp?.start();
    if (retired.length > 0 || retiredMcp !== undefined) {
      void this.whenEnded(inFlight).then(() =>
        Promise.all([...retired.map((p) => p.close()), retiredMcp?.close()]),
      );
    }
    return diff;
  }

  /** Resolves once every one of these exchanges has ended. */
  private whenEnded(exchanges: readonly Exchange[]): Promise<void> {
    return Promise.all(
      exchanges.map((exchange) =>
        exchange.res.closed
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              exchange.res.once('close', () => {
                resolve();
              });
            }),
      ),
    ).then(() => undefined);
  }

  static async start(options: GatewayOptions, listen = options.config.listen): Promise<Gateway> {
    const { config, logger } = options;
    const clock = options.clock ?? systemClock;
    // Loaded only when configured: the MCP SDK and the database drivers weigh on startup.
    // The SDK's modules load while the recorder opens its database and starts its thread,
    // rather than before: the two waits overlap (cold start, BENCHMARKS.md).
    const mcpModule = config.mcp.servers.length === 0 ? undefined : import('./mcp/mcp-hub.js');
    // Handled here too, so that a failure to load it is not unhandled if startup fails first.
    mcpModule?.catch(() => undefined);
    // Loaded only when asked for: the OpenTelemetry SDK weighs on startup too.
    const tracing =
      options.tracing === false ? undefined : await openTracing(options.tracing ?? {});
    const recording = await startRecording(config, {
      logger,
      clock,
      ...options.recorder,
      ...(tracing === undefined
        ? {}
        : {
            onWrite: (write) => {
              tracing.recording(write);
            },
          }),
    });
    const mcp =
      mcpModule === undefined
        ? undefined
        : new (await mcpModule).McpHub({ servers: config.mcp.servers, logger, clock });
    const auth = startGatewayAuth(config.auth.tokens, recording.database?.tokens, {
      clock,
      logger,
    });
    const keyState = await openKeyStateStore(config, {
      logger,
      clock,
      ...(options.primary === undefined ? {} : { primary: options.primary }),
    });
    const gateway = new Gateway(options, logger, mcp, recording, auth, keyState, tracing);
    try {
      await keyState.start(KEY_STATE_START_WAIT_MS);
      await new Promise<void>((resolve, reject) => {
        gateway.server.once('error', reject);
        gateway.server.listen(listen.port, listen.host, () => {
          gateway.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await gateway.auth.stop();
      await Promise.all([gateway.recording.close(0), keyState.close(), tracing?.shutdown()]);
      throw error;
    }
    gateway.status = 'ready';
    // Not awaited: a server that is slow or down must not hold the gateway back; requests
    // get the tools of the servers ready so far.
    void gateway.mcp?.start();
    return gateway;
  }

  /** Each backend's state for /readyz: none of them stops requests, so none makes it 503. */
  private checks(): Record<string, unknown> {
    const checks: Record<string, unknown> = { database: this.recording.status() };
    if (this.keyState.backend !== 'memory') {
      checks[this.keyState.backend] = keyStateCheck(this.keyState.status());
    }
    if (this.mcp !== undefined) {
      checks['mcp'] = this.mcp.status().map((server) => ({
        name: server.name,
        state: server.state === 'ready' ? 'ok' : 'degraded',
        connection: server.state,
        tools: server.tools,
        last_error: server.lastError,
        retry_in_ms: server.retryInMs,
      }));
    }
    return checks;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const { address, port, family } = this.server.address() as AddressInfo;
    const host = family === 'IPv6' ? `[${address}]` : address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  }

  get activeRequests(): number {
    return this.live.size;
  }

  /**
   * The contract's shutdown: /readyz answers 503 at once and, for `delayMs`, everything is
   * still served so a load balancer can take this replica out. Then it stops accepting and
   * lets in-flight requests and streams finish for up to `graceMs`; whatever still runs then
   * gets the API's error ("the gateway is shutting down", an in-stream event once committed)
   * and is recorded `shutdown`. Finally the upstream connection pools close.
   */
  shutdown(
    graceMs = this.config.shutdownGraceMs,
    delayMs = this.config.shutdownDelayMs,
  ): Promise<void> {
    this.shutdownStarted ??= this.stop(graceMs, delayMs);
    return this.shutdownStarted;
  }

  private async stop(graceMs: number, delayMs: number): Promise<void> {
    this.status = 'draining';
    if (delayMs > 0) {
      this.logger.info({ delay_ms: delayMs }, 'not ready: still serving during shutdown_delay');
      await sleep(delayMs);
    }
    this.draining = true;
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.server.closeIdleConnections();
    const controller = new AbortController();
    const expired = sleep(graceMs, 'expired' as const, { signal: controller.signal }).catch(
      () => 'closed' as const,
    );
    if ((await Promise.race([closed.then(() => 'closed' as const), expired])) === 'expired') {
      this.logger.warn(
        { in_flight: this.live.size },
        'shutdown grace expired: ending what is still running',
      );
      const ended = [...this.live].map(
        (exchange) =>
          new Promise<void>((resolve) => {
            exchange.res.once('close', resolve);
            exchange.cancellation.cancel('shutdown');
          }),
      );
      await Promise.race([Promise.all(ended), sleep(LAST_WORDS_MS)]);
      this.server.closeAllConnections();
      await closed;
    }
    controller.abort();
    await Promise.all([...this.providers.map((p) => p.close()), this.mcp?.close()]);
    await this.keyState.close();
    // Every request has ended, so every interception is queued: write them out.
    await this.auth.stop();
    await this.recording.close(graceMs);
    // Last: the recorder's final writes are spans too.
    await this.tracing?.shutdown().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'tracing: the last spans could not be exported');
    });
  }
}
