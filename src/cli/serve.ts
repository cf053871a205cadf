import cluster from 'node:cluster';
import { readConfigText, type GatewayConfig } from '../config/load.js';
import { WORKER_CONFIG_ENV, WORKER_SLOT_ENV } from './cluster/messages.js';
import { Gateway } from '../gateway.js';
import { createLogger, type Logger } from '../log/logger.js';
import { startupFields, withoutTokens } from './config-summary.js';
import { ConfigReloader } from './config-reloader.js';
import { waitForSignal } from './lifecycle.js';
import { loadCliConfig } from './load-cli-config.js';

export { EXIT_CONFIG, EXIT_USAGE } from './exit-codes.js';

export interface ServeArgs {
  readonly config: string | undefined;
  readonly listen: string | undefined;
  readonly workers?: string | undefined;
}

export async function serve(args: ServeArgs, env: NodeJS.ProcessEnv): Promise<number> {
  if (cluster.isWorker) return serveAsWorker(args, env);
  const loaded = loadCliConfig(args.config, env, args.listen, args.workers);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  warnWithoutTokens(config, logger);
  if (config.workers > 1) {
    const { runPrimary } = await import('./cluster/primary.js');
    return runPrimary({
      config,
      env,
      logger,
      overrides: (next) => cliOverrides(args, config, next),
      startupFields: startupFields(config),
      configText: config.file === undefined ? undefined : readConfigText(config.file),
    });
  }
  let gateway: Gateway;
  try {
    // Benchmarks only: the baseline without metrics and tracing, to measure what they cost.
    const telemetryOff = process.env['SWITCHYARD_BENCH_TELEMETRY'] === 'off';
    gateway = await Gateway.start({
      config,
      logger,
      ...(telemetryOff ? { metrics: false, tracing: false } : {}),
    });
  } catch (error) {
    process.stderr.write(
      `switchyard: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  logger.info({ url: gateway.url, ...startupFields(config) }, 'switchyard listening');
  const reloader = new ConfigReloader({
    file: config.file,
    env,
    logger,
    current: () => gateway.config,
    overrides: (next) => cliOverrides(args, config, next),
    apply: async (next) => {
      await gateway.reload(next);
    },
  });
  reloader.watch();
  try {
    return await waitForSignal(gateway, logger, {
      hangup: () => {
        void reloader.reload('SIGHUP');
      },
    });
  } finally {
    reloader.stop();
  }
}

/** What the command line set wins over every reloaded file, as it did over the first. */
function cliOverrides(args: ServeArgs, running: GatewayConfig, next: GatewayConfig): GatewayConfig {
  return {
    ...next,
    ...(args.listen === undefined ? {} : { listen: running.listen }),
    ...(args.workers === undefined ? {} : { workers: running.workers }),
  };
}

function warnWithoutTokens(config: GatewayConfig, logger: Logger): void {
  if (config.auth.tokens.length === 0) {
    logger.warn(
      `no gateway tokens configured: ${withoutTokens(config)} (set SWITCHYARD_TOKENS or auth.tokens)`,
    );
  }
}

/**
 * A worker forked by the primary: the configuration is the text the primary validated last
 * (or, configured by the environment alone, the same environment), with the same flags.
 */
async function serveAsWorker(args: ServeArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const text = env[WORKER_CONFIG_ENV];
  const loaded = loadCliConfig(args.config, env, args.listen, args.workers, text);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat }).child({
    worker: Number(env[WORKER_SLOT_ENV] ?? 0),
  });
  const { runWorker } = await import('./cluster/worker.js');
  return runWorker(config, logger, env);
}
