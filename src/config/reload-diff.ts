import type { GatewayConfig } from './load.js';

/**
 * What a reload can apply, and what only a restart can: the listening socket, the worker
 * count, the database, Redis and the logger are opened once at start.
 */
const RESTART_ONLY: readonly (readonly [string, (config: GatewayConfig) => unknown])[] = [
  ['listen', (c) => c.listen],
  ['workers', (c) => c.workers],
  ['database', (c) => c.database],
  ['redis', (c) => c.redis?.url],
  ['key_state_secret', (c) => c.redis?.keyStateSecret],
  ['recording', (c) => c.recording],
  ['log_level', (c) => c.logLevel],
  ['log_format', (c) => c.logFormat],
];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export interface ReloadDiff {
  /** Settings that differ but wait for a restart (named as in the YAML). */
  readonly restartOnly: readonly string[];
  readonly providers: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly string[];
  };
  readonly mcpChanged: boolean;
}

export function reloadDiff(before: GatewayConfig, after: GatewayConfig): ReloadDiff {
  const restartOnly = RESTART_ONLY.filter(([, of]) => !same(of(before), of(after))).map(
    ([name]) => name,
  );
  const old = new Map(before.providers.map((p) => [p.name, p]));
  const now = new Map(after.providers.map((p) => [p.name, p]));
  return {
    restartOnly,
    providers: {
      added: [...now.keys()].filter((name) => !old.has(name)),
      removed: [...old.keys()].filter((name) => !now.has(name)),
      changed: [...now]
        .filter(([name, p]) => old.has(name) && !same(old.get(name), p))
        .map(([name]) => name),
    },
    mcpChanged: !same(before.mcp, after.mcp),
  };
}

/**
 * The new configuration as a running gateway applies it: settings that need a restart keep
 * their running values.
 */
export function applicableConfig(before: GatewayConfig, after: GatewayConfig): GatewayConfig {
  return {
    ...after,
    listen: before.listen,
    workers: before.workers,
    database: before.database,
    redis: before.redis,
    recording: before.recording,
    logLevel: before.logLevel,
    logFormat: before.logFormat,
  };
}
