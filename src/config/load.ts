import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { TokenEntry } from '../auth/gateway-tokens.js';
import type { McpSettings } from '../mcp/settings.js';
import type { ProviderSettings } from '../upstream/provider.js';
import type { UpstreamTimeouts } from '../upstream/timeouts.js';
import { breakerSettingsOf } from './breaker-schema.js';
import { ConfigError } from './config-error.js';
import type { DatabaseTarget } from './database-target.js';
import { describePath } from './describe-path.js';
import { envOnlyConfig } from './env-config.js';
import { interpolateEnv } from './interpolate.js';
import { plainIssueMessage } from './issue-messages.js';
import { mcpSettingsOf } from './mcp-schema.js';
import { priceOverridesOf, type PriceOverrides } from './prices-schema.js';
import { configSchema, LISTEN_EXPECTED, WORKERS_EXPECTED, workersSchema } from './schema.js';

export interface GatewayConfig {
  /** Where the configuration came from, for the startup line. */
  readonly source: string;
  /** The file that was read; undefined for the environment-only quick start. */
  readonly file: string | undefined;
  readonly listen: { readonly host: string; readonly port: number };
  /** Processes that serve: 1 is this process alone; more are forked by a primary. */
  readonly workers: number;
  readonly database: DatabaseTarget;
  /** Key state shared by every replica through Redis; undefined: this process only. */
  readonly redis: RedisSettings | undefined;
  readonly recording: RecordingSettings;
  /** `prices:` by model or `provider/model`, in USD per million tokens. */
  readonly prices: PriceOverrides;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  readonly shutdownGraceMs: number;
  /** The top-level timeouts; each provider's own are in its settings. */
  readonly timeouts: UpstreamTimeouts;
  /** After SIGTERM, how long /readyz says 503 while everything is still served. */
  readonly shutdownDelayMs: number;
  readonly forwardClientIp: boolean;
  readonly bodyLimit: number;
  readonly providers: readonly ProviderSettings[];
  readonly auth: { readonly allowByok: boolean; readonly tokens: readonly TokenEntry[] };
  readonly adminToken: string | undefined;
  /** MCP servers whose tools are injected, and the agentic loop's limit. */
  readonly mcp: McpSettings;
  /** `dump_dir`: where every upstream exchange is written; undefined: no dump. */
  readonly dumpDir: string | undefined;
}

export interface RedisSettings {
  readonly url: string;
  /** The HMAC secret that fingerprints provider keys in Redis. */
  readonly keyStateSecret: string;
}

/** What is kept of each interception, and for how long. */
export interface RecordingSettings {
  readonly prompts: boolean;
  readonly thoughts: boolean;
  /** 0 keeps records forever. */
  readonly retentionMs: number;
}

export const DEFAULT_CONFIG_FILE = './switchyard.yaml';

const DEFAULT_BASE_URL = {
  anthropic: 'https://api.anthropic.com/',
  openai: 'https://api.openai.com/v1/',
} as const;

/** `label` names where the value came from in the error: `listen`, `--listen`, a variable. */
export function parseListen(value: string, label = 'listen'): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(colon + 1));
  if (colon === -1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${label}: ${LISTEN_EXPECTED}`);
  }
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** `auto` is one worker per core this process may use. */
export function resolveWorkers(workers: number | 'auto'): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

/** `--workers`: a count or auto, named in the error as the flag. */
export function parseWorkers(value: string): number {
  const result = workersSchema.safeParse(value);
  if (!result.success) throw new ConfigError(`--workers: ${WORKERS_EXPECTED}`);
  return resolveWorkers(result.data);
}

export interface ParseOptions {
  /** The file read, if any. */
  readonly file?: string;
  /** Names a place in the document; the default names YAML paths. */
  readonly locate?: (path: readonly PropertyKey[]) => string | undefined;
}

/** Validates a raw document (file or environment) into the gateway's configuration. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv | undefined,
  source: string,
  options: ParseOptions = {},
): GatewayConfig {
  // Without env, the document already holds final values (the environment-only quick start).
  const document = env === undefined ? (raw ?? {}) : interpolateEnv(raw ?? {}, env);
  const result = configSchema.safeParse(document, { error: plainIssueMessage });
  if (!result.success) {
    const first = result.error.issues[0];
    if (first === undefined) throw new ConfigError('invalid configuration');
    const where = options.locate?.(first.path) ?? describePath(document, first.path);
    throw new ConfigError(`${where}: ${first.message}`);
  }
  const config = result.data;
  const timeouts: UpstreamTimeouts = {
    connectMs: config.timeouts.connect,
    firstByteMs: config.timeouts.first_byte,
    idleMs: config.timeouts.idle,
  };
  return {
    source,
    file: options.file,
    listen: parseListen(config.listen),
    workers: resolveWorkers(config.workers),
    database: config.database,
    redis:
      config.redis === undefined || config.key_state_secret === undefined
        ? undefined
        : { url: config.redis, keyStateSecret: config.key_state_secret },
    recording: {
      prompts: config.recording.prompts,
      thoughts: config.recording.thoughts,
      retentionMs: config.recording.retention,
    },
    prices: priceOverridesOf(config.prices),
    logLevel: config.log_level,
    logFormat: config.log_format,
    shutdownGraceMs: config.shutdown_grace,
    timeouts,
    shutdownDelayMs: config.shutdown_delay,
    forwardClientIp: config.forward_client_ip,
    bodyLimit: config.limits.max_body,
    providers: config.providers.map((p) => ({
      name: p.name,
      type: p.type,
      baseUrl: new URL(p.base_url ?? DEFAULT_BASE_URL[p.type]),
      keys: p.keys,
      timeouts: {
        connectMs: p.timeouts?.connect ?? timeouts.connectMs,
        firstByteMs: p.timeouts?.first_byte ?? timeouts.firstByteMs,
        idleMs: p.timeouts?.idle ?? timeouts.idleMs,
      },
      recheckDisabledKeysMs: p.recheck_disabled_keys,
      onForbidden: p.on_forbidden,
      circuitBreaker: breakerSettingsOf(p.circuit_breaker),
    })),
    auth: { allowByok: config.auth.allow_byok, tokens: config.auth.tokens },
    adminToken: config.admin?.token,
    mcp: mcpSettingsOf(config.mcp_servers, config.mcp_max_iterations),
    dumpDir: config.dump_dir,
  };
}

/** The quick start without a file; errors name the variable the user set. */
export function configFromEnv(env: NodeJS.ProcessEnv): GatewayConfig {
  const { document, locate } = envOnlyConfig(env);
  return parseConfig(document, undefined, 'environment', { locate });
}

/**
 * `file` if given, else ./switchyard.yaml if present, else the environment alone
 * (ANTHROPIC_API_KEYS, OPENAI_API_KEYS, SWITCHYARD_TOKENS, …).
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): GatewayConfig {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (path === undefined) return configFromEnv(env);
  return parseConfigText(path, readConfigText(path), env);
}

/** The file's text, or a ConfigError that names it. */
export function readConfigText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * A configuration file's text, as read from `path`: what a reload validates once in the
 * primary and then hands to every worker, so that they all apply the very same document.
 */
export function parseConfigText(path: string, text: string, env: NodeJS.ProcessEnv): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      // The message's later lines quote the offending line, which may hold a secret.
      const reason = (error.message.split('\n')[0] ?? 'invalid YAML').replace(/:$/, '');
      throw new ConfigError(`${path}: invalid YAML: ${reason}`);
    }
    throw error;
  }
  // A document that is not a mapping at all is named by its file.
  const locate = (where: readonly PropertyKey[]): string | undefined =>
    where.length === 0 ? path : undefined;
  return parseConfig(raw, env, path, { file: path, locate });
}
