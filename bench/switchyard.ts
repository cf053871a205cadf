import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, keyHeaders, type DialectId } from './dialects.js';
import type { MockProcess } from './mock-process.js';
import { RATE_LIMITED_PREFIX } from './mock-protocol.js';
import { freePort, spawnNode, waitForHttp, type ChildHandle } from './processes.js';
import { TARGET_LABELS, type Endpoint, type Target } from './targets.js';

export const GATEWAY_TOKEN = 'bench-token-123';
const ADMIN_TOKEN = 'bench-admin-123';
const BIN = join(REPO_ROOT, 'bin', 'switchyard');

/** One way of configuring the gateway for a scenario. */
export interface SwitchyardProfile {
  readonly id: string;
  readonly label: string;
  /** The key pool of both providers, in order. */
  readonly keys: readonly string[];
  readonly logLevel: 'warn' | 'info';
  /**
   * Recording: a `database:` setting for the config, given the run's work folder (`off`
   * for none). The report checks whether the file was written.
   */
  readonly database?: (workDir: string) => string;
  /** More of the configuration, for a feature measured on its own (e.g. `mcp_servers`). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Environment of the process beyond the bench's own (e.g. `OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly env?: Readonly<Record<string, string>>;
}

export const STANDARD: SwitchyardProfile = {
  id: 'switchyard',
  label: TARGET_LABELS.switchyard,
  keys: ['key-a', 'key-b'],
  logLevel: 'warn',
  // Not the default ./switchyard.db in the repository: the plain profile records nothing.
  database: () => 'off',
};

/**
 * The gateway with none of the features a team turns on: no recording, and metrics and
 * tracing off through a bench-only switch, so the full configuration's cost shows whole.
 */
export const BARE: SwitchyardProfile = {
  ...STANDARD,
  env: { SWITCHYARD_BENCH_TELEMETRY: 'off' },
};

/** Key 0 answers 429 with `retry-after: 3600`: once cooled down, every request skips it. */
export const FAILOVER: SwitchyardProfile = {
  ...STANDARD,
  id: 'switchyard-failover',
  label: 'Switchyard, key 0 cooling down',
  keys: [`${RATE_LIMITED_PREFIX}key-a`, 'key-b'],
};

export interface SwitchyardTarget extends Target {
  readonly process: ChildHandle;
  readonly origin: string;
  readonly profile: SwitchyardProfile;
  /** The database file the profile configured, if any. */
  readonly databaseFile: string | undefined;
  /** State of key `index` in each provider's pool, from the admin API. */
  keyStates(index: number): Promise<string[]>;
  /** Puts key `index` of every provider back in service through the admin API. */
  enableKey(index: number): Promise<void>;
}

/** JSON is YAML: the config is written as JSON so no YAML library is needed. */
export function writeConfig(
  profile: SwitchyardProfile,
  mock: MockProcess,
  port: number,
  workDir: string,
): string {
  mkdirSync(workDir, { recursive: true });
  const config = {
    listen: `127.0.0.1:${port}`,
    log_level: profile.logLevel,
    shutdown_grace: '2s',
    ...(profile.database === undefined ? {} : { database: profile.database(workDir) }),
    providers: [
      { name: 'anthropic', type: 'anthropic', base_url: `${mock.origin}/`, keys: profile.keys },
      { name: 'openai', type: 'openai', base_url: `${mock.origin}/v1/`, keys: profile.keys },
    ],
    auth: { tokens: [{ user: 'bench', token: GATEWAY_TOKEN }] },
    admin: { token: ADMIN_TOKEN },
    ...profile.extra,
  };
  const file = join(workDir, `${profile.id}.yaml`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

const ROUTES: Readonly<Record<DialectId, string>> = {
  messages: '/anthropic/v1/messages',
  chat: '/openai/v1/chat/completions',
  responses: '/openai/v1/responses',
};

/** `BENCH_PROFILE_DIR=/tmp/prof npm run bench -- …` writes a CPU profile of every Switchyard process. */
function profileArgs(): string[] {
  const dir = process.env['BENCH_PROFILE_DIR'];
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

function spawnSwitchyard(
  name: string,
  config: string,
  logDir: string,
  env?: Readonly<Record<string, string>>,
  bin = BIN,
): ChildHandle {
  return spawnNode({
    name,
    args: [...profileArgs(), bin, 'serve', '--config', config],
    cwd: REPO_ROOT,
    logFile: join(logDir, `${name}.log`),
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
}

/** `bin`: another build's bin/switchyard, for comparing two builds in one run. */
export async function startSwitchyard(
  profile: SwitchyardProfile,
  mock: MockProcess,
  dirs: { work: string; logs: string },
  bin = BIN,
): Promise<SwitchyardTarget> {
  const port = await freePort();
  const config = writeConfig(profile, mock, port, dirs.work);
  const child = spawnSwitchyard(profile.id, config, dirs.logs, profile.env, bin);
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/readyz`, child, { status: 200 });
  const database = profile.database?.(dirs.work);
  return {
    id: profile.id,
    label: profile.label,
    process: child,
    origin,
    profile,
    databaseFile:
      database?.startsWith('sqlite:') === true ? database.slice('sqlite:'.length) : undefined,
    upstreamKey: profile.keys[0]?.startsWith(RATE_LIMITED_PREFIX)
      ? (profile.keys[1] ?? '')
      : (profile.keys[0] ?? ''),
    endpoint: (dialect): Endpoint => ({
      url: origin + ROUTES[dialect],
      headers: keyHeaders(DIALECT_SPECS[dialect].family, GATEWAY_TOKEN),
    }),
    async keyStates(index) {
      const response = await fetch(`${origin}/admin/api/providers`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const providers = (await response.json()) as { keys: { state: string }[] }[];
      return providers.map((p) => p.keys[index]?.state ?? 'missing');
    },
    async enableKey(index) {
      for (const name of ['anthropic', 'openai']) {
        const response = await fetch(`${origin}/admin/api/providers/${name}/keys/${index}/enable`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        if (!response.ok) throw new Error(`enable ${name} key ${index}: ${response.status}`);
        await response.body?.cancel();
      }
    },
    stop: () => child.stop(),
  };
}

/**
 * Bytes written to the profile's database file and its write-ahead log (where SQLite keeps
 * recent writes until a checkpoint), if the gateway created them.
 */
export function databaseBytes(target: SwitchyardTarget): number | undefined {
  const file = target.databaseFile;
  if (file === undefined || !existsSync(file)) return undefined;
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

/**
 * Cold start: from spawning `bin/switchyard serve` to the first 200 from /readyz, polled
 * every 2 ms. One fresh process per run.
 */
export async function measureColdStart(
  mock: MockProcess,
  runs: number,
  dirs: { work: string; logs: string },
  profileOf: (run: number) => SwitchyardProfile,
): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const port = await freePort();
    const profile = profileOf(run);
    const config = writeConfig(profile, mock, port, dirs.work);
    const started = performance.now();
    const child = spawnSwitchyard(profile.id, config, dirs.logs, profile.env);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, child, { status: 200, intervalMs: 2 });
      times.push(performance.now() - started);
    } finally {
      await child.stop();
    }
  }
  return times;
}
