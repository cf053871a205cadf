/**
 * `npm run bench:feature-cost [-- --duration S --rounds N --rate R --dialects messages,chat --features recording,mcp]`:
 * what each feature costs on the request path, measured as fresh Switchyard processes under
 * the same blocking load at c=16, in rounds whose order rotates so that no process is always
 * measured first or last: plain (recording off, no MCP), and plain with one feature on.
 *
 * - recording: `database: sqlite:…` (the default engine), every request recorded. The figure
 *   that matters is throughput against plain (the target: ≥ 0.95×).
 * - mcp: 20 tools injected into every request from a real MCP server (Streamable HTTP, in this
 *   process), on requests where the model calls none of them. The figure that matters is the
 *   gateway process's CPU time per request (the target: ≤ 10 % more).
 * - carried: no MCP, but the client sends the same tool declarations itself. Not a feature: a
 *   reference for how much of MCP's cost is carrying the bytes (received and sent) at all.
 *
 * Each round runs every process twice: a closed loop (as fast as it answers; throughput) and
 * an open loop at a fixed rate (`--rate`, default 1,000 req/s; CPU per request). CPU per
 * request is compared at the same rate because a process that serves fewer requests per
 * second (e.g. behind a mock upstream slowed by 20 KB more JSON to parse) batches less and
 * pays more per request. Every figure is relative to the plain process in the same run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dialect } from '../src/dialects/dialect.js';
import { anthropicMessages } from '../src/dialects/anthropic-messages/dialect.js';
import { scanJson } from '../src/dialects/json-object.js';
import { openaiChat } from '../src/dialects/openai-chat/dialect.js';
import { openaiResponses } from '../src/dialects/openai-responses/dialect.js';
import { staticToolSource } from '../src/mcp/static-tool-source.js';
import { syntheticTools } from '../test/support/synthetic-tools.js';
import { TestMcpHttpServer } from '../test/support/mcp-http-server.js';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, DIALECTS, type DialectId } from './dialects.js';
import { runLoad, summarize, type LoadResult, type LoadRun } from './load.js';
import { MockProcess } from './mock-process.js';
import { STANDARD, startSwitchyard, type SwitchyardTarget } from './switchyard.js';

type Feature = 'recording' | 'mcp' | 'carried';
const FEATURES: readonly Feature[] = ['recording', 'mcp', 'carried'];

const GATEWAY_DIALECTS: Readonly<Record<DialectId, Dialect>> = {
  messages: anthropicMessages,
  chat: openaiChat,
  responses: openaiResponses,
};

/**
 * The request with the same tool declarations MCP injects, sent by the client instead: what
 * carrying those bytes costs a gateway that does nothing with them (the floor for MCP).
 */
function withCarriedTools(dialect: DialectId): string {
  const gateway = GATEWAY_DIALECTS[dialect];
  const scan = scanJson(Buffer.from(DIALECT_SPECS[dialect].body()));
  if (scan.kind !== 'object') throw new Error(`the ${dialect} benchmark body is not a JSON object`);
  const tools = staticToolSource(syntheticTools(toolCount, 'kb')).snapshot().tools;
  return gateway.tools.withTools(scan.object, gateway.tools.declarations(tools)).toString();
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '3' },
    dialects: { type: 'string', default: DIALECTS.join(',') },
    features: { type: 'string', default: FEATURES.join(',') },
    tools: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
  },
});
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const toolCount = Number(values.tools);
const fixedRate = Number(values.rate);
const dialects = values.dialects.split(',') as DialectId[];
const features = values.features.split(',') as Feature[];
for (const feature of features) {
  if (!FEATURES.includes(feature)) throw new Error(`unknown feature ${feature}`);
}
const CONNECTIONS = 16;
/** The plain process that also serves the requests carrying the tools themselves. */
const carrier = new WeakSet<SwitchyardTarget>();

function load(
  target: SwitchyardTarget,
  dialect: DialectId,
  seconds: number,
  rate?: number,
): Promise<LoadRun> {
  return runLoad({
    endpoint: target.endpoint(dialect),
    body: carrier.has(target) ? withCarriedTools(dialect) : DIALECT_SPECS[dialect].body(),
    connections: CONNECTIONS,
    durationS: seconds,
    sampleIntMs: 100,
    process: target.process,
    ...(rate === undefined ? {} : { rate }),
  });
}

const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerRequest?.toFixed(1) ?? '—'} µs CPU/req, ${r.non2xx + r.errors} errors`;

/** Round r measures the targets starting from the r-th, so each takes every position in turn. */
function rotation<T>(items: readonly T[], round: number): T[] {
  const start = round % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

async function main(): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results', 'feature-cost');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dirs = { work: dir, logs: dir };
  const mock = await MockProcess.start(dir);
  const mcp = features.includes('mcp')
    ? await TestMcpHttpServer.start({ tools: syntheticTools(toolCount, 'kb') })
    : undefined;
  const targets: { name: 'plain' | Feature; target: SwitchyardTarget }[] = [
    { name: 'plain', target: await startSwitchyard(STANDARD, mock, dirs) },
  ];
  try {
    if (features.includes('carried')) {
      const target = await startSwitchyard(
        {
          ...STANDARD,
          id: 'switchyard-carried',
          label: `Switchyard, ${toolCount} tools sent by the client`,
        },
        mock,
        dirs,
      );
      carrier.add(target);
      targets.push({ name: 'carried', target });
    }
    if (features.includes('recording')) {
      const target = await startSwitchyard(
        {
          ...STANDARD,
          id: 'switchyard-recording',
          label: 'Switchyard, recording to SQLite',
          database: (work) => `sqlite:${join(work, 'switchyard-recording.db')}`,
        },
        mock,
        dirs,
      );
      targets.push({ name: 'recording', target });
    }
    if (mcp !== undefined) {
      const target = await startSwitchyard(
        {
          ...STANDARD,
          id: 'switchyard-mcp',
          label: `Switchyard, ${toolCount} MCP tools injected`,
          extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
        },
        mock,
        dirs,
      );
      targets.push({ name: 'mcp', target });
      // The hub connects in the background; wait until the tools are offered.
      for (let i = 0; i < 100; i++) {
        const ready = (await (await fetch(`${target.origin}/readyz`)).json()) as {
          checks?: { mcp?: { tools?: number }[] };
        };
        if ((ready.checks?.mcp?.[0]?.tools ?? 0) === toolCount) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    console.log(
      `feature cost: ${targets.map((t) => t.name).join(', ')}; c=${CONNECTIONS}, ${rounds} rounds × ${durationS} s each, rotating order`,
    );
    const rows: string[] = [];
    const summary = (runs: Map<string, LoadRun[]>) =>
      new Map([...runs].map(([name, r]) => [name, summarize(r)]));
    for (const dialect of dialects) {
      for (const { target } of targets) await load(target, dialect, warmupS);
      const closed = new Map(targets.map((t) => [t.name, [] as LoadRun[]]));
      const paced = new Map(targets.map((t) => [t.name, [] as LoadRun[]]));
      for (let round = 0; round < rounds; round++) {
        for (const { name, target } of rotation(targets, round)) {
          closed.get(name)?.push(await load(target, dialect, durationS));
          paced.get(name)?.push(await load(target, dialect, durationS, fixedRate));
        }
      }
      const [atMost, atRate] = [summary(closed), summary(paced)];
      const plain = atMost.get('plain');
      const plainPaced = atRate.get('plain');
      if (plain === undefined || plainPaced === undefined) throw new Error('no plain runs');
      for (const [name, result] of atMost) {
        console.log(`  ${dialect} ${name.padEnd(9)} closed loop: ${fmt(result)}`);
        const at = atRate.get(name);
        if (at !== undefined)
          console.log(`  ${dialect} ${name.padEnd(9)} ${fixedRate}/s:    ${fmt(at)}`);
      }
      const cost = (on: LoadResult, off: LoadResult): string => {
        const ratio = (on.cpuUsPerRequest ?? NaN) / (off.cpuUsPerRequest ?? NaN) - 1;
        return `${off.cpuUsPerRequest?.toFixed(0) ?? '—'} / ${on.cpuUsPerRequest?.toFixed(0) ?? '—'} (${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(1)} %)`;
      };
      for (const feature of features) {
        const on = atMost.get(feature);
        const onPaced = atRate.get(feature);
        if (on === undefined || onPaced === undefined) continue;
        rows.push(
          `| ${DIALECT_SPECS[dialect].label} | ${feature} | ${plain.rps.toFixed(0)} / ${on.rps.toFixed(0)} | ${(on.rps / plain.rps).toFixed(2)}× | ${cost(on, plain)} | ${cost(onPaced, plainPaced)} |`,
        );
      }
    }
    console.log(
      [
        '',
        'Targets: recording on ≥ 0.95× plain throughput (closed loop); MCP (tools configured, none called) ≤ +10 % CPU per request (at the same fixed rate).',
        '',
        `| API | feature | closed loop req/s (plain / on) | on ÷ plain | CPU µs/req closed loop (plain / on) | CPU µs/req at ${fixedRate} req/s (plain / on) |`,
        '| --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  } finally {
    await Promise.all(targets.map(({ target }) => target.stop()));
    await mcp?.stop();
    await mock.stop();
  }
}

await main();
