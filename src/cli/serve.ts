import { Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';
import { startupFields } from './config-summary.js';
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
    gateway = await Gateway.start({ config, logger });
  } catch (error) {
    process.stderr.write(
      `switchyard: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  logger.info({ url: gateway.url, ...startupFields(config) }, 'switchyard listening');
  if (config.auth.tokens.length === 0) {
    logger.warn(
      'no gateway tokens configured: every request will be refused with 401 (set SWITCHYARD_TOKENS or auth.tokens)',
    );
  }
  return waitForSignal(gateway, logger);
}

export async function waitForSignal(
  gateway: Gateway,
  logger: ReturnType<typeof createLogger>,
): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal, in_flight: gateway.activeRequests }, 'shutting down');
  const force = (): void => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await gateway.shutdown();
  logger.info('stopped');
  logger.flush();
  return 0;
}
