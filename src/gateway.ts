import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayTokens } from './auth/gateway-tokens.js';
import type { GatewayConfig } from './config/load.js';
import { systemClock, type Clock } from './keypool/clock.js';
import type { KeyTransition } from './keypool/key.js';
import type { InterceptionSink } from './recorder/interception.js';
import { FanoutSink, LogSink } from './recorder/log-sink.js';
import { startRecording, type Recording, type RecordingDeps } from './recorder/recording.js';
import { answerMalformedRequest } from './server/malformed-request.js';
import { createRequestHandler } from './server/request-handler.js';
import { RouteTable } from './server/route-table.js';
import type { Logger } from './telemetry/logger.js';
import { Provider } from './upstream/provider.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Extra interception sinks (tests), besides the log and the database recorder. */
  readonly sinks?: readonly InterceptionSink[];
  /** Recorder timers and queue tuning (tests, benchmarks). */
  readonly recorder?: Pick<RecordingDeps, 'scheduler' | 'tuning'>;
}

function logTransition(logger: Logger, provider: string, t: KeyTransition): void {
  const fields = { provider, key: t.key.hint, index: t.key.index };
  if (t.to === 'permanent') {
    logger.error(
      fields,
      'key rejected by the provider (401/403): disabled until an operator re-enables it',
    );
  } else if (t.to === 'temporary') {
    logger.warn({ ...fields, cooldown_ms: t.cooldownMs }, 'key rate-limited (429): cooling down');
  } else {
    logger.info(fields, 'key re-enabled');
  }
}

/** The composition root: providers, auth, routes and the HTTP server, wired once. */
export class Gateway {
  readonly providers: readonly Provider[];
  private readonly server: Server;
  private readonly recording: Recording;
  private ready = false;
  private draining = false;
  private inFlight = 0;

  private constructor(
    private readonly options: GatewayOptions,
    private readonly logger: Logger,
  ) {
    const clock = options.clock ?? systemClock;
    const { config } = options;
    this.providers = config.providers.map(
      (settings) =>
        new Provider(settings, clock, (t) => {
          logTransition(logger, settings.name, t);
        }),
    );
    const routes = new RouteTable(this.providers);
    this.recording = startRecording(config, { logger, clock, ...options.recorder });
    const recorderSink = this.recording.sink === undefined ? [] : [this.recording.sink];
    const handler = createRequestHandler({
      clock,
      logger,
      sink: new FanoutSink(
        [new LogSink(logger), ...recorderSink, ...(options.sinks ?? [])],
        logger,
      ),
      routes,
      auth: { tokens: new GatewayTokens(config.auth.tokens), allowByok: config.auth.allowByok },
      adminToken:
        config.adminToken === undefined
          ? undefined
          : new GatewayTokens([{ user: 'admin', token: config.adminToken }]),
      providers: this.providers,
      bodyLimit: config.bodyLimit,
      isReady: () => this.ready,
      readinessChecks: () => ({ database: this.recording.status() }),
    });
    this.server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.inFlight++;
      // While draining, answer what is in flight but let no connection linger afterwards.
      if (this.draining) res.shouldKeepAlive = false;
      res.once('close', () => {
        this.inFlight--;
        if (this.draining) {
          setImmediate(() => {
            this.server.closeIdleConnections();
          });
        }
      });
      handler(req, res);
    });
    this.server.on('clientError', (error, socket) => {
      answerMalformedRequest(error, socket, routes);
    });
  }

  static async start(options: GatewayOptions, listen = options.config.listen): Promise<Gateway> {
    const gateway = new Gateway(options, options.logger);
    try {
      await new Promise<void>((resolve, reject) => {
        gateway.server.once('error', reject);
        gateway.server.listen(listen.port, listen.host, () => {
          gateway.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await gateway.recording.close(0);
      throw error;
    }
    gateway.ready = true;
    return gateway;
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
    return this.inFlight;
  }

  /**
   * Stops accepting, lets in-flight requests and streams finish for up to `graceMs`, then
   * cuts what is left and closes the upstream connection pools.
   */
  async shutdown(graceMs = this.options.config.shutdownGraceMs): Promise<void> {
    this.ready = false;
    this.draining = true;
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, graceMs);
      timer.unref();
    });
    if ((await Promise.race([closed, deadline])) === 'timeout') {
      this.logger.warn(
        { in_flight: this.inFlight },
        'shutdown grace expired: closing remaining connections',
      );
      this.server.closeAllConnections();
      await closed;
    }
    clearTimeout(timer);
    await Promise.all(this.providers.map((p) => p.http.close()));
    // Every request has ended, so every interception is queued: write them out.
    await this.recording.close(graceMs);
  }
}
