/**
 * The configuration a team deploys, measured next to the bare gateway in every scenario:
 * recording to SQLite, metrics scraped once a second, tracing on without an exporter, 20
 * MCP tools configured (never called by the mock model), a 3-key pool and a shutdown delay.
 * The bare profile (STANDARD) has none of these, so the difference is what they cost.
 */
import { join } from 'node:path';
import { TestMcpHttpServer } from '../test/support/mcp-http-server.js';
import { syntheticTools } from '../test/support/synthetic-tools.js';
import type { MockProcess } from './mock-process.js';
import {
  STANDARD,
  startSwitchyard,
  type SwitchyardProfile,
  type SwitchyardTarget,
} from './switchyard.js';
import { TARGET_LABELS } from './targets.js';

export const FULL_TOOL_COUNT = 20;
/** Long enough to be a real setting, short enough that stopping a target stays quick. */
const SHUTDOWN_DELAY = '2s';
/** The shutdown delay plus the grace the profile's config gives in-flight work. */
const STOP_GRACE_MS = 10_000;
const SCRAPE_INTERVAL_MS = 1000;

export function fullProfile(mcpUrl: string, database = 'switchyard-full.db'): SwitchyardProfile {
  return {
    ...STANDARD,
    id: 'switchyard-full',
    label: TARGET_LABELS['switchyard-full'],
    keys: ['key-a', 'key-b', 'key-c'],
    logLevel: 'info',
    database: (workDir) => `sqlite:${join(workDir, database)}`,
    extra: {
      mcp_servers: [{ name: 'kb', url: mcpUrl }],
      shutdown_delay: SHUTDOWN_DELAY,
    },
  };
}

export interface FullTarget extends SwitchyardTarget {
  /** How many times /metrics was scraped so far; 0 when it does not answer 200. */
  scrapes(): number;
  readonly toolCount: number;
  readonly shutdownDelay: string;
}

/** Polls /readyz until the MCP server's tools are listed (injection starts then). */
async function waitForTools(origin: string, count: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 200 && seen < count; i++) {
    const response = await fetch(`${origin}/readyz`);
    const ready = (await response.json()) as { checks?: { mcp?: { tools?: number }[] } };
    seen = ready.checks?.mcp?.[0]?.tools ?? 0;
    if (seen < count) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return seen;
}

/** Starts an MCP server and the gateway in the full profile, scraping its metrics. */
export async function startFullSwitchyard(
  mock: MockProcess,
  dirs: { work: string; logs: string },
): Promise<FullTarget> {
  const mcp = await TestMcpHttpServer.start({ tools: syntheticTools(FULL_TOOL_COUNT, 'kb') });
  let target: SwitchyardTarget;
  try {
    target = await startSwitchyard(fullProfile(mcp.url), mock, dirs);
  } catch (error) {
    await mcp.stop();
    throw error;
  }
  const toolCount = await waitForTools(target.origin, FULL_TOOL_COUNT);
  const metricsUrl = `${target.origin}/metrics`;
  const probe = await fetch(metricsUrl);
  await probe.arrayBuffer();
  let scrapes = 0;
  // A Prometheus server scrapes all the time, not only while load runs.
  const timer =
    probe.status === 200
      ? setInterval(() => {
          scrapes++;
          void fetch(metricsUrl)
            .then((r) => r.arrayBuffer())
            .catch(() => undefined);
        }, SCRAPE_INTERVAL_MS)
      : undefined;
  timer?.unref();
  return {
    ...target,
    toolCount,
    shutdownDelay: SHUTDOWN_DELAY,
    scrapes: () => scrapes,
    async stop() {
      clearInterval(timer);
      try {
        await target.process.stop(STOP_GRACE_MS);
      } finally {
        await mcp.stop();
      }
    },
  };
}

/** Cold start of the full profile: a fresh SQLite file each run, so migrations are included. */
export async function withColdStartMcp<T>(run: (mcpUrl: string) => Promise<T>): Promise<T> {
  const mcp = await TestMcpHttpServer.start({ tools: syntheticTools(FULL_TOOL_COUNT, 'kb') });
  try {
    return await run(mcp.url);
  } finally {
    await mcp.stop();
  }
}
