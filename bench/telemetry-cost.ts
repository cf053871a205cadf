/**
 * `npm run bench:telemetry [-- --duration S --rounds N --dialects messages,chat]`: what
 * metrics and tracing cost on the request path, as three fresh Switchyard processes under
 * the same blocking load at c=16, in rounds whose order rotates:
 *
 * - off: no metrics, no tracing (SWITCHYARD_BENCH_TELEMETRY=off, a bench-only switch);
 * - on: as deployed without an OTLP endpoint: metrics on and /metrics scraped every second,
 *   tracing not loaded;
 * - OTLP: the same with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a local sink (a process of
 *   its own that answers every export 200), so every request makes and exports its spans.
 *
 * Targets: on ≥ 0.95× off, OTLP ≥ 0.9× off, in throughput. `--otlp-sample 0.1` samples one
 * trace in ten in the OTLP variants (parent-based: a client's sampled trace is always kept).
 * `--rate R` runs every load as an open loop at R req/s instead: CPU per request then
 * compares the processes at the same rate, the steadier figure on a shared machine.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, DIALECTS, type DialectId } from './dialects.js';
import { runLoad, summarize, type LoadResult, type LoadRun } from './load.js';
import { MockProcess } from './mock-process.js';
import { freePort, spawnNode, waitForHttp, type ChildHandle } from './processes.js';
import { STANDARD, startSwitchyard, type SwitchyardTarget } from './switchyard.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    dialects: { type: 'string', default: DIALECTS.join(',') },
    /** Sample this share of traces in the OTLP variant (OTEL_TRACES_SAMPLER_ARG); all by default. */
    'otlp-sample': { type: 'string' },
    rate: { type: 'string' },
  },
});
const fixedRate = values.rate === undefined ? undefined : Number(values.rate);
const otlpSample = values['otlp-sample'];
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const warmupS = Number(values.warmup);
const dialects = values.dialects.split(',') as DialectId[];
const CONNECTIONS = 16;

/** An OTLP/HTTP receiver that reads each export and answers 200, in a process of its own. */
const SINK = `
const http = require('node:http');
let exports = 0, bytes = 0;
http.createServer((req, res) => {
  req.on('data', (c) => { bytes += c.length; });
  req.on('end', () => {
    if (req.url === '/stats') { res.end(JSON.stringify({ exports, bytes })); return; }
    exports++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(Number(process.argv[1]), '127.0.0.1');
`;

async function startSink(dir: string): Promise<{ url: string; child: ChildHandle }> {
  const port = await freePort();
  const child = spawnNode({
    name: 'otlp-sink',
    args: ['-e', SINK, String(port)],
    logFile: join(dir, 'otlp-sink.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/stats`, child, { status: 200 });
  return { url, child };
}

interface Variant {
  readonly name: string;
  readonly target: SwitchyardTarget;
  /** Scraped once a second while the load runs, as Prometheus would. */
  readonly scrape: boolean;
}

function load(variant: Variant, dialect: DialectId, seconds: number): Promise<LoadRun> {
  const { target } = variant;
  return runLoad({
    endpoint: target.endpoint(dialect),
    body: DIALECT_SPECS[dialect].body(),
    connections: CONNECTIONS,
    durationS: seconds,
    sampleIntMs: 100,
    process: target.process,
    ...(fixedRate === undefined ? {} : { rate: fixedRate }),
    ...(variant.scrape
      ? {
          everySecond: () => {
            void fetch(`${target.origin}/metrics`)
              .then((r) => r.arrayBuffer())
              .catch(() => undefined);
          },
        }
      : {}),
  });
}

const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerRequest?.toFixed(1) ?? '—'} µs CPU/req, ${r.non2xx + r.errors} errors`;

async function main(): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results', 'telemetry-cost');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dirs = { work: dir, logs: dir };
  const mock = await MockProcess.start(dir);
  const sink = await startSink(dir);
  const otlpVariant = async (name: string): Promise<Variant> => ({
    name,
    scrape: true,
    target: await startSwitchyard(
      {
        ...STANDARD,
        id: `switchyard-telemetry-${name.toLowerCase().replace(' ', '-')}`,
        label: `Switchyard, metrics on, tracing exported over OTLP (${name})`,
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          ...(otlpSample === undefined
            ? {}
            : {
                OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
                OTEL_TRACES_SAMPLER_ARG: otlpSample,
              }),
        },
      },
      mock,
      dirs,
    ),
  });
  const variants: Variant[] = [
    {
      name: 'off',
      scrape: false,
      target: await startSwitchyard(
        {
          ...STANDARD,
          id: 'switchyard-telemetry-off',
          label: 'Switchyard, metrics and tracing off',
          env: { SWITCHYARD_BENCH_TELEMETRY: 'off' },
        },
        mock,
        dirs,
      ),
    },
    {
      name: 'on',
      scrape: true,
      target: await startSwitchyard(
        { ...STANDARD, id: 'switchyard-telemetry-on', label: 'Switchyard, metrics on' },
        mock,
        dirs,
      ),
    },
    await otlpVariant('OTLP'),
  ];
  try {
    const metrics = await fetch(`${variants[0]?.target.origin ?? ''}/metrics`);
    await metrics.arrayBuffer();
    if (metrics.status !== 404) throw new Error('the "off" target still serves /metrics');
    console.log(
      `telemetry cost: metrics and tracing ${variants.map((v) => v.name).join(' / ')}${otlpSample === undefined ? '' : ` (sampling ${otlpSample})`}; ${fixedRate === undefined ? `c=${CONNECTIONS}` : `open loop at ${fixedRate} req/s`}`,
    );
    const rows: string[] = [];
    for (const dialect of dialects) {
      for (const variant of variants) await load(variant, dialect, warmupS);
      const runs = variants.map((): LoadRun[] => []);
      for (let round = 0; round < rounds; round++) {
        // Each round starts with a different variant, so drift spreads over all of them.
        for (let i = 0; i < variants.length; i++) {
          const which = (round + i) % variants.length;
          runs[which]?.push(await load(variants[which] as Variant, dialect, durationS));
        }
      }
      const results = runs.map((r) => summarize(r));
      variants.forEach((variant, i) => {
        const result = results[i];
        if (result !== undefined)
          console.log(`  ${dialect} ${variant.name.padEnd(11)}: ${fmt(result)}`);
      });
      const [off, ...rest] = results as [LoadResult, ...LoadResult[]];
      const cpu = (r: LoadResult): string => r.cpuUsPerRequest?.toFixed(0) ?? '—';
      rows.push(
        `| ${DIALECT_SPECS[dialect].label} | ${results.map((r) => r.rps.toFixed(0)).join(' / ')} | ${rest.map((r) => `${(r.rps / off.rps).toFixed(2)}×`).join(' / ')} | ${results.map(cpu).join(' / ')} |`,
      );
    }
    const names = variants.map((v) => v.name).join(' / ');
    const stats = (await (await fetch(`${sink.url}/stats`)).json()) as {
      exports: number;
      bytes: number;
    };
    console.log(
      [
        '',
        `| API | req/s (${names}) | ÷ off (${names.replace('off / ', '')}; targets on ≥ 0.95, OTLP ≥ 0.9) | CPU µs/req (${names}) |`,
        '| --- | --- | --- | --- |',
        ...rows,
        '',
        `OTLP sink: ${stats.exports} exports, ${(stats.bytes / 1e6).toFixed(1)} MB received`,
      ].join('\n'),
    );
  } finally {
    await Promise.all(variants.map((v) => v.target.stop()));
    await sink.child.stop();
    await mock.stop();
  }
}

await main();
