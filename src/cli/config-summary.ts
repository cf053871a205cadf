import { describeDatabaseTarget } from '../config/database-target.js';
import type { GatewayConfig } from '../config/load.js';
import { formatDurationMs } from '../config/units.js';
import type { ProviderSettings } from '../upstream/provider.js';
import type { UpstreamTimeouts } from '../upstream/timeouts.js';
import { maskedHint } from '../log/masked-hint.js';
import { redactedUrl } from '../log/redacted-url.js';

/*
 * What a configuration turns on, for the startup line and `check-config`. Both show counts,
 * masked hints and URLs with any password replaced; neither shows a key or a token.
 */

const TIMEOUT_FIELDS = [
  ['connect', 'connectMs', 'connect'],
  ['first_byte', 'firstByteMs', 'first byte'],
  ['idle', 'idleMs', 'idle'],
] as const;

function timeoutsMs(timeouts: UpstreamTimeouts): Record<string, number> {
  return Object.fromEntries(TIMEOUT_FIELDS.map(([name, field]) => [name, timeouts[field]]));
}

/** The provider's timeouts that differ from the top-level ones. */
function timeoutOverridesMs(
  provider: ProviderSettings,
  defaults: UpstreamTimeouts,
): Record<string, number> {
  return Object.fromEntries(
    TIMEOUT_FIELDS.filter(([, field]) => provider.timeouts[field] !== defaults[field]).map(
      ([name, field]) => [name, provider.timeouts[field]],
    ),
  );
}

function recording(config: GatewayConfig): string {
  const target = config.database;
  // The user stays visible (it tells databases apart); only a password is hidden.
  return target.engine === 'postgres' ? redactedUrl(target.url) : describeDatabaseTarget(target);
}

/** Where key state is shared; never the secret that fingerprints keys there. */
function keyState(config: GatewayConfig): string {
  if (config.redis !== undefined) return redactedUrl(config.redis.url);
  return config.workers > 1 ? 'the primary process' : 'this process';
}

/**
 * The fields of the 'switchyard listening' line. Durations are milliseconds, as in every
 * other log line; field names stay clear of the logger's redacted paths (`keys`, `token`
 * at the top level).
 */
export function startupFields(config: GatewayConfig): Record<string, unknown> {
  return {
    config: config.source,
    workers: config.workers,
    providers: config.providers.map((provider) => {
      const overrides = timeoutOverridesMs(provider, config.timeouts);
      return {
        name: provider.name,
        type: provider.type,
        keys: provider.keys.length,
        on_forbidden: provider.onForbidden,
        recheck_disabled_keys_ms: provider.recheckDisabledKeysMs,
        ...(Object.keys(overrides).length === 0 ? {} : { timeouts_ms: overrides }),
        ...(provider.circuitBreaker === undefined
          ? {}
          : {
              circuit_breaker: {
                failures: provider.circuitBreaker.failures,
                open_for_ms: provider.circuitBreaker.openForMs,
                half_open_requests: provider.circuitBreaker.halfOpenRequests,
              },
            }),
      };
    }),
    byok: config.auth.allowByok,
    admin_api: config.adminToken !== undefined,
    recording: recording(config),
    key_state: keyState(config),
    gateway_tokens: config.auth.tokens.length,
    timeouts_ms: timeoutsMs(config.timeouts),
    shutdown_grace_ms: config.shutdownGraceMs,
    shutdown_delay_ms: config.shutdownDelayMs,
    forward_client_ip: config.forwardClientIp,
    ...(config.dumpDir === undefined ? {} : { dump_dir: config.dumpDir }),
  };
}

function onOff(value: boolean): string {
  return value ? 'on' : 'off';
}

function describeTimeouts(timeouts: UpstreamTimeouts): string {
  return TIMEOUT_FIELDS.map(
    ([, field, label]) => `${label} ${formatDurationMs(timeouts[field])}`,
  ).join(', ');
}

function describeProvider(provider: ProviderSettings, config: GatewayConfig): string[] {
  const keys = provider.keys.length;
  const overridden = TIMEOUT_FIELDS.filter(
    ([, field]) => provider.timeouts[field] !== config.timeouts[field],
  ).map(([, , label]) => label);
  const recheck =
    provider.recheckDisabledKeysMs === 0
      ? 'disabled keys are never re-checked'
      : `disabled keys re-checked after ${formatDurationMs(provider.recheckDisabledKeysMs)} (backing off to 1h)`;
  const breaker = provider.circuitBreaker;
  return [
    `  ${provider.name}: type ${provider.type}, ${redactedUrl(provider.baseUrl.href)}`,
    `    ${keys} ${keys === 1 ? 'key' : 'keys'}, in order: ${provider.keys.map(maskedHint).join(', ')}`,
    `    ${recheck}; on 403: ${provider.onForbidden}`,
    `    timeouts: ${describeTimeouts(provider.timeouts)}${
      overridden.length === 0 ? '' : ` (${overridden.join(', ')} set for this provider)`
    }`,
    ...(breaker === undefined
      ? []
      : [
          `    circuit breaker: opens after ${breaker.failures} consecutive failures for ${formatDurationMs(breaker.openForMs)}, then ${breaker.halfOpenRequests} trial ${breaker.halfOpenRequests === 1 ? 'request' : 'requests'}`,
        ]),
  ];
}

/** What a configuration without gateway tokens means for requests. */
export function withoutTokens(config: GatewayConfig): string {
  return config.database.engine === 'off'
    ? 'every request will be refused with 401'
    : 'only tokens issued with `switchyard tokens create` will be accepted';
}

/** The summary `check-config` prints, one fact a line. */
export function describeConfig(config: GatewayConfig): string {
  const tokens = config.auth.tokens.length;
  const lines = [
    `Configuration from ${config.file ?? 'the environment'} is valid.`,
    '',
    `listen: ${config.listen.host}:${config.listen.port}`,
    `providers: ${config.providers.length}`,
    ...config.providers.flatMap((provider) => describeProvider(provider, config)),
    `gateway tokens: ${tokens}${tokens === 0 ? ` (${withoutTokens(config)})` : ''}`,
    `BYOK: ${onOff(config.auth.allowByok)}`,
    `admin API: ${onOff(config.adminToken !== undefined)}`,
    `recording: ${recording(config)}`,
    ...(config.workers > 1 ? [`workers: ${config.workers}`] : []),
    `key state: ${config.redis === undefined && config.workers === 1 ? 'this process only' : `shared through ${keyState(config)}`}`,
    `timeouts: ${describeTimeouts(config.timeouts)}`,
    `shutdown: grace ${formatDurationMs(config.shutdownGraceMs)}, delay ${formatDurationMs(config.shutdownDelayMs)}`,
    `client IP headers to providers: ${config.forwardClientIp ? 'forwarded' : 'dropped'}`,
    `API dump: ${config.dumpDir === undefined ? 'off' : `${config.dumpDir} (credentials redacted)`}`,
    `log: level ${config.logLevel}, format ${config.logFormat}`,
  ];
  return `${lines.join('\n')}\n`;
}
