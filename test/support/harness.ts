import { parseConfig } from '../../src/config/load.js';
import { Gateway, type GatewayOptions } from '../../src/gateway.js';
import type { Clock } from '../../src/keypool/clock.js';
import type { Interception } from '../../src/recorder/interception.js';
import { captureLogger } from './capture-logger.js';
import { MockUpstream } from './mock-upstream.js';

export interface HarnessOptions {
  readonly providers?: readonly {
    name: string;
    type: 'anthropic' | 'openai';
    keys: readonly string[];
    /** Defaults to the mock upstream. */
    baseUrl?: string;
    /** Passed through to the provider's config as written. */
    on_forbidden?: 'disable' | 'verify';
    recheck_disabled_keys?: string | number;
    circuit_breaker?: Record<string, unknown>;
  }[];
  readonly tokens?: readonly { user: string; token: string }[];
  readonly allowByok?: boolean;
  readonly adminToken?: string;
  readonly extra?: Record<string, unknown>;
  readonly clock?: Clock;
  /** The `database` setting; off unless given, so tests write no ./switchyard.db. */
  readonly database?: string;
  /** Recorder timers and queue tuning. */
  readonly recorder?: GatewayOptions['recorder'];
  /** Interception observers besides the gateway's own. */
  readonly observers?: GatewayOptions['observers'];
  /** Metrics and tracing options of the gateway (a tracer provider of the test's). */
  readonly metrics?: GatewayOptions['metrics'];
  readonly tracing?: GatewayOptions['tracing'];
  /** A dashboard built for the test (see scripts/build-dashboard.ts). */
  readonly dashboardDir?: string;
}

export interface Harness {
  readonly gateway: Gateway;
  readonly upstream: MockUpstream;
  readonly logs: string[];
  readonly interceptions: Interception[];
  readonly url: string;
  close(): Promise<void>;
}

export const TOKEN = 'sy-test-gateway-token-alice-7f3a9c';
export const ADMIN_TOKEN = 'sy-test-admin-token-1b2c3d4e';

/** A real gateway on a loopback port in front of a scripted upstream, logs captured. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const upstream = await MockUpstream.start();
  const { logger, lines } = captureLogger();
  const interceptions: Interception[] = [];
  const config = parseConfig(
    {
      listen: '127.0.0.1:0',
      providers: (options.providers ?? []).map(({ baseUrl, ...p }) => ({
        ...p,
        keys: [...p.keys],
        // As in production: OpenAI's base URL includes /v1, Anthropic's does not.
        base_url: baseUrl ?? (p.type === 'openai' ? `${upstream.url}v1/` : upstream.url),
      })),
      auth: {
        allow_byok: options.allowByok ?? true,
        tokens: options.tokens ?? [{ user: 'alice', token: TOKEN }],
      },
      admin: { token: options.adminToken ?? ADMIN_TOKEN },
      database: options.database ?? 'off',
      ...options.extra,
    },
    undefined,
    'test',
  );
  const gateway = await Gateway.start({
    config,
    logger,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    sinks: [{ record: (i) => interceptions.push(i) }],
    ...(options.recorder === undefined ? {} : { recorder: options.recorder }),
    ...(options.observers === undefined ? {} : { observers: options.observers }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
    ...(options.dashboardDir === undefined ? {} : { dashboardDir: options.dashboardDir }),
  });
  return {
    gateway,
    upstream,
    logs: lines,
    interceptions,
    url: gateway.url,
    async close() {
      await gateway.shutdown(1000);
      await upstream.close();
    },
  };
}
