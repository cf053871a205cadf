import { ConfigError } from '../config/config-error.js';
import { loadConfig, parseListen, type GatewayConfig } from '../config/load.js';
import { Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';
import { waitForSignal } from './lifecycle.js';
import { NO_PROVIDER_HELP } from './usage.js';

export const EXIT_USAGE = 2;
export const EXIT_CONFIG = 78;

export interface ServeArgs {
  readonly config: string | undefined;
  readonly listen: string | undefined;
}

export async function serve(args: ServeArgs, env: NodeJS.ProcessEnv): Promise<number> {
  let config: GatewayConfig;
  try {
    config = loadConfig(args.config, env);
    if (args.listen !== undefined) config = { ...config, listen: parseListen(args.listen) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchyard: config error: ${error.message}\n`);
      return EXIT_CONFIG;
    }
    throw error;
  }
  if (config.providers.length === 0) {
    process.stderr.write(NO_PROVIDER_HELP);
    return EXIT_USAGE;
  }
  const logger = createLogger({ level: config.logLevel });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ config, logger });
  } catch (error) {
    process.stderr.write(
      `switchyard: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  logger.info(
    {
      url: gateway.url,
      config: config.source,
      providers: gateway.providers.map((p) => ({
        name: p.name,
        type: p.type,
        keys: p.pool.keys.length,
      })),
    },
    'switchyard listening',
  );
  if (config.auth.tokens.length === 0) {
    logger.warn(
      'no gateway tokens configured: every request will be refused with 401 (set SWITCHYARD_TOKENS or auth.tokens)',
    );
  }
  return waitForSignal(gateway, logger);
}
