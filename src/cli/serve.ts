import { Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';
import { startupFields, withoutTokens } from './config-summary.js';
import { waitForSignal } from './lifecycle.js';
import { loadCliConfig } from './load-cli-config.js';

export { EXIT_CONFIG, EXIT_USAGE } from './exit-codes.js';

export interface ServeArgs {
  readonly config: string | undefined;
  readonly listen: string | undefined;
}

export async function serve(args: ServeArgs, env: NodeJS.ProcessEnv): Promise<number> {
  const loaded = loadCliConfig(args.config, env, args.listen);
  if ('exitCode' in loaded) return loaded.exitCode;
  const { config } = loaded;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
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
  if (config.auth.tokens.length === 0) {
    logger.warn(
      `no gateway tokens configured: ${withoutTokens(config)} (set SWITCHYARD_TOKENS or auth.tokens)`,
    );
  }
  return waitForSignal(gateway, logger);
}
