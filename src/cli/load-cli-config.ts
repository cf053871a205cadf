import { ConfigError } from '../config/config-error.js';
import {
  DEFAULT_CONFIG_FILE,
  loadConfig,
  parseConfigText,
  parseListen,
  parseWorkers,
  type GatewayConfig,
} from '../config/load.js';
import { EXIT_CONFIG, EXIT_USAGE } from './exit-codes.js';
import { noProviderHelp } from './usage.js';

export type CliConfig = { readonly config: GatewayConfig } | { readonly exitCode: number };

/**
 * Loads the configuration the way `serve` and `check-config` both need it: a config error
 * is one line on stderr and exit 78; a valid configuration with no provider prints what to
 * set and exits 2.
 */
export function loadCliConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  listen?: string,
  workers?: string,
  /** The file's text as already read (a worker is given what its primary validated). */
  text?: string,
): CliConfig {
  let config: GatewayConfig;
  try {
    config =
      text === undefined
        ? loadConfig(file, env)
        : parseConfigText(file ?? DEFAULT_CONFIG_FILE, text, env);
    if (listen !== undefined) config = { ...config, listen: parseListen(listen, '--listen') };
    if (workers !== undefined) config = { ...config, workers: parseWorkers(workers) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`switchyard: config error: ${error.message}\n`);
      return { exitCode: EXIT_CONFIG };
    }
    throw error;
  }
  if (config.providers.length === 0) {
    process.stderr.write(noProviderHelp(config.file, env));
    return { exitCode: EXIT_USAGE };
  }
  return { config };
}
