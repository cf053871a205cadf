import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { TokenEntry } from '../auth/gateway-tokens.js';
import type { ProviderSettings } from '../upstream/provider.js';
import type { UpstreamTimeouts } from '../upstream/timeouts.js';
import { ConfigError } from './config-error.js';
import type { DatabaseTarget } from './database-target.js';
import { describePath } from './describe-path.js';
import { envOnlyConfig } from './env-config.js';
import { interpolateEnv } from './interpolate.js';
import { configSchema } from './schema.js';

export interface GatewayConfig {
  /** Where the configuration came from, for the startup line. */
  readonly source: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly database: DatabaseTarget;
  readonly recording: RecordingSettings;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  readonly shutdownGraceMs: number;
  /** After SIGTERM, how long /readyz says 503 while everything is still served. */
  readonly shutdownDelayMs: number;
  readonly forwardClientIp: boolean;
  readonly bodyLimit: number;
  readonly providers: readonly ProviderSettings[];
  readonly auth: { readonly allowByok: boolean; readonly tokens: readonly TokenEntry[] };
  readonly adminToken: string | undefined;
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

export function parseListen(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(value.slice(colon + 1));
  if (colon === -1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`listen: expected HOST:PORT, e.g. 127.0.0.1:8080`);
  }
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function formatIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const where = describePath(root, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${where}: unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return issue.message.endsWith('received undefined')
        ? `${where}: missing (expected ${issue.expected})`
        : `${where}: expected ${issue.expected}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Validates a raw document (file or environment) into the gateway's configuration. */
export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv | undefined,
  source: string,
): GatewayConfig {
  // Without env, the document already holds final values (the environment-only quick start).
  const document = env === undefined ? (raw ?? {}) : interpolateEnv(raw ?? {}, env);
  const result = configSchema.safeParse(document);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new ConfigError(
      first === undefined ? 'invalid configuration' : formatIssue(first, document),
    );
  }
  const config = result.data;
  const timeouts: UpstreamTimeouts = {
    connectMs: config.timeouts.connect,
    firstByteMs: config.timeouts.first_byte,
    idleMs: config.timeouts.idle,
  };
  return {
    source,
    listen: parseListen(config.listen),
    database: config.database,
    recording: {
      prompts: config.recording.prompts,
      thoughts: config.recording.thoughts,
      retentionMs: config.recording.retention,
    },
    logLevel: config.log_level,
    logFormat: config.log_format,
    shutdownGraceMs: config.shutdown_grace,
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
    })),
    auth: { allowByok: config.auth.allow_byok, tokens: config.auth.tokens },
    adminToken: config.admin?.token,
  };
}

/**
 * `file` if given, else ./switchyard.yaml if present, else the environment alone
 * (ANTHROPIC_API_KEYS, OPENAI_API_KEYS, SWITCHYARD_TOKENS, …).
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): GatewayConfig {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (path === undefined) return parseConfig(envOnlyConfig(env), undefined, 'environment');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
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
  return parseConfig(raw, env, path);
}
