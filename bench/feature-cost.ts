/**
 * `npm run bench:feature-cost [-- --duration S --rounds N --dialects messages,chat]`: what one
 * feature costs on the request path, measured as two fresh Switchyard processes under the
 * same blocking load at c=16 in A-B-B-A rounds: plain, and plain with the feature on. Today
 * the feature is MCP: 20 tools injected into every request from a real MCP server (Streamable
 * HTTP, in this process), on requests where the model calls none of them. CPU time per
 * request of the gateway process is the figure that matters (the target: ≤ 10 % more).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { syntheticTools } from '../test/support/synthetic-tools.js';
import { TestMcpHttpServer } from '../test/support/mcp-http-server.js';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, DIALECTS, type DialectId } from './dialects.js';
import { runLoad, summarize, type LoadResult, type LoadRun } from './load.js';
import { MockProcess } from './mock-process.js';
import { STANDARD, startSwitchyard, type SwitchyardTarget } from './switchyard.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    dialects: { type: 'string', default: DIALECTS.join(',') },
    tools: { type: 'string', default: '20' },
  },
});
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const toolCount = Number(values.tools);
const dialects = values.dialects.split(',') as DialectId[];
const CONNECTIONS = 16;

function load(target: SwitchyardTarget, dialect: DialectId, seconds: number): Promise<LoadRun> {
  return runLoad({
    endpoint: target.endpoint(dialect),
    body: DIALECT_SPECS[dialect].body(),
    connections: CONNECTIONS,
    durationS: seconds,
    sampleIntMs: 100,
    process: target.process,
  });
}

const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerRequest?.toFixed(1) ?? '—'} µs CPU/req, ${r.non2xx + r.errors} errors`;

async function main(): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results', 'feature-cost');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dirs = { work: dir, logs: dir };
  const mock = await MockProcess.start(dir);
  const mcp = await TestMcpHttpServer.start({ tools: syntheticTools(toolCount, 'kb') });
  const plain = await startSwitchyard(STANDARD, mock, dirs);
  const withMcp = await startSwitchyard(
    {
      ...STANDARD,
      id: 'switchyard-mcp',
      label: `Switchyard, ${toolCount} MCP tools injected`,
      extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
    },
    mock,
    dirs,
  );
  try {
    // The hub connects in the background; wait until the tools are offered.
    for (let i = 0; i < 100; i++) {
      const ready = (await (await fetch(`${withMcp.origin}/readyz`)).json()) as {
        checks?: { mcp?: { tools?: number }[] };
      };
      if ((ready.checks?.mcp?.[0]?.tools ?? 0) === toolCount) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.log(`feature cost: MCP, ${toolCount} tools injected, none called; c=${CONNECTIONS}`);
    const rows: string[] = [];
    for (const dialect of dialects) {
      for (const target of [plain, withMcp]) await load(target, dialect, warmupS);
      const runs: [LoadRun[], LoadRun[]] = [[], []];
      for (let round = 0; round < rounds; round++) {
        for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
          runs[which === 0 ? 0 : 1].push(
            await load(which === 0 ? plain : withMcp, dialect, durationS),
          );
        }
      }
      const [off, on] = [summarize(runs[0]), summarize(runs[1])];
      const cpu = (on.cpuUsPerRequest ?? NaN) / (off.cpuUsPerRequest ?? NaN) - 1;
      console.log(`  ${dialect} MCP off: ${fmt(off)}`);
      console.log(`  ${dialect} MCP on:  ${fmt(on)}`);
      rows.push(
        `| ${DIALECT_SPECS[dialect].label} | ${off.rps.toFixed(0)} / ${on.rps.toFixed(0)} | ${(on.rps / off.rps).toFixed(2)}× | ${off.cpuUsPerRequest?.toFixed(0) ?? '—'} / ${on.cpuUsPerRequest?.toFixed(0) ?? '—'} | ${(cpu * 100).toFixed(1)} % |`,
      );
    }
    console.log(
      [
        '',
        '| API | req/s (MCP off / on) | on ÷ off | CPU µs/req (off / on) | CPU cost |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  } finally {
    await Promise.all([plain.stop(), withMcp.stop()]);
    await mcp.stop();
    await mock.stop();
  }
}

await main();
