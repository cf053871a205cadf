import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { parseConfigText, readConfigText, type GatewayConfig } from '../config/load.js';
import { reloadDiff } from '../config/reload-diff.js';
import type { Logger } from '../log/logger.js';

/** Editors write a file in several steps (truncate, write, rename): wait for the last. */
const DEBOUNCE_MS = 200;

export interface ReloaderOptions {
  /** The configuration file; undefined: configured by the environment alone. */
  readonly file: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** The configuration in force, to compare against. */
  readonly current: () => GatewayConfig;
  /** The command line's overrides (`--listen`, `--workers`), applied to every new file. */
  readonly overrides?: (config: GatewayConfig) => GatewayConfig;
  /** Applies a validated configuration (and the text it was read from). */
  readonly apply: (config: GatewayConfig, text: string) => Promise<void>;
}

/**
 * Reloads on SIGHUP and when the configuration file changes: reads and validates the file
 * once; a bad one is refused with one log line and the running configuration stays; a good
 * one is applied, and the settings that only a restart changes are named in one line.
 */
export class ConfigReloader {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReloaderOptions) {}

  /** Reloads after whatever reload is running; resolves when this one is done. */
  reload(trigger: string): Promise<void> {
    this.running = this.running.then(() => this.reloadOnce(trigger));
    return this.running;
  }

  /** Follows the file (its directory, so that a file replaced by a rename is still seen). */
  watch(): void {
    const { file } = this.options;
    if (file === undefined || this.watcher !== undefined) return;
    const name = basename(file);
    try {
      this.watcher = watch(dirname(resolve(file)), (_event, changed) => {
        // Kubernetes swaps a ConfigMap's files through a `..data` link: any change counts.
        if (changed !== null && changed !== name && !changed.startsWith('..')) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          void this.reload('file changed');
        }, DEBOUNCE_MS);
      });
      this.watcher.on('error', (error) => {
        this.options.logger.warn({ error: error.message }, 'config file watch stopped');
      });
    } catch (error) {
      this.options.logger.warn(
        { error: (error as Error).message },
        'cannot watch the config file: reload with SIGHUP',
      );
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async reloadOnce(trigger: string): Promise<void> {
    const { file, env, logger } = this.options;
    if (file === undefined) {
      logger.warn(
        { trigger },
        'reload: the configuration comes from the environment alone; nothing to reload',
      );
      return;
    }
    let config: GatewayConfig;
    let text: string;
    try {
      text = readConfigText(file);
      config = parseConfigText(file, text, env);
      config = this.options.overrides?.(config) ?? config;
      if (config.providers.length === 0) throw new ConfigError(`${file}: no provider configured`);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      logger.error(
        { trigger },
        `reload refused, the running configuration stays: ${error.message}`,
      );
      return;
    }
    const before = this.options.current();
    const diff = reloadDiff(before, config);
    try {
      await this.options.apply(config, text);
    } catch (error) {
      logger.error(
        { trigger, error: (error as Error).message },
        'reload failed, the running configuration stays',
      );
      return;
    }
    if (diff.restartOnly.length > 0) {
      logger.warn(
        { settings: diff.restartOnly },
        `reload: ${diff.restartOnly.join(', ')} changed but take effect only on a restart; ignored`,
      );
    }
    logger.info(
      {
        trigger,
        providers_added: diff.providers.added,
        providers_removed: diff.providers.removed,
        providers_changed: diff.providers.changed,
        mcp_servers_changed: diff.mcpChanged,
        gateway_tokens: config.auth.tokens.length,
      },
      'configuration reloaded',
    );
  }
}
