/**
 * `npx tsx bench/tracing-pipeline.ts [-- --interceptions N --rounds R --variants a,b]`: the
 * CPU that tracing costs per interception, without the rest of the gateway. Each variant
 * runs in a process of its own over the built gateway (dist/, `npm run build` first): the
 * tracing observer is driven through the events of a blocking interception with one
 * upstream attempt (start, attempt with its traceparent injected, head, commit, end),
 * sixteen at a time between turns of the event loop (or paced at `--rate` per second, so
 * that spans wait in batches as long as in the gateway at that rate), and its spans exported over
 * OTLP/HTTP to a local sink (in this, the parent process). The figure is the process's CPU time
 * (every thread) per interception, spans flushed at the end included, and the main
 * thread's alone (what stayed on the request path's thread; Linux's schedstat).
 *
 * Variants: `sample0` (OTLP configured, every trace sampled out), `otlp` (every trace
 * sampled and exported). The gateway's own process-level figures stay those of
 * `bench/telemetry-cost.ts`: this one only separates tracing from the machine's noise.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { openTracing as OpenTracing } from '../src/telemetry/tracing.js';
import { REPO_ROOT } from './compile.js';

const { values } = parseArgs({
  options: {
    interceptions: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'sample0,otlp' },
    /** Interceptions per second, paced (16 per tick); as fast as possible without it. */
    rate: { type: 'string' },
    child: { type: 'string' },
  },
});

interface ChildResult {
  /** Process CPU (every thread) per interception. */
  readonly cpuUs: number;
  /** The main thread's CPU per interception (the event loop's: no export thread's). */
  readonly loopUs: number;
  readonly wallMs: number;
}

const BATCH = 16;

/** CPU time of this process's main thread, nanoseconds (Linux: the scheduler's account). */
function mainThreadCpuNs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
  return Number(fields[0]);
}

async function runChild(interceptions: number): Promise<ChildResult> {
  const tracingUrl = pathToFileURL(join(REPO_ROOT, 'dist', 'telemetry', 'tracing.js')).href;
  const { openTracing } = (await import(tracingUrl)) as { openTracing: typeof OpenTracing };
  const tracing = await openTracing({});
  if (tracing === undefined) throw new Error('tracing is not configured');
  const { observer } = tracing;
  const clientHeaders = {
    host: '127.0.0.1:8080',
    'content-type': 'application/json',
    'content-length': '231',
    'anthropic-version': '2023-06-01',
    authorization: 'Bearer sk-not-a-real-token',
  };
  let n = 0;
  const one = (): void => {
    const now = Date.now();
    const watch = observer.start({
      id: `01J${String(n++).padStart(23, '0')}`,
      kind: 'bridged',
      provider: 'anthropic',
      dialect: 'anthropic-messages',
      model: 'claude-sonnet-4-5',
      streaming: false,
      user: 'bench',
      credentialKind: 'centralized',
      method: 'POST',
      upstreamPath: '/v1/messages',
      headers: clientHeaders,
      body: undefined,
      startedAt: now,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-not-a-real-key',
      'anthropic-version': '2023-06-01',
    };
    const attempt = watch?.attempt?.({
      keyHint: 'sk-ant-…wxyz',
      keyIndex: 0,
      iteration: 0,
      method: 'POST',
      path: '/v1/messages',
      headers,
      body: undefined,
      startedAt: now,
    });
    attempt?.head?.(200, {});
    const upstream = {
      keyHint: 'sk-ant-…wxyz',
      keyIndex: 0,
      status: 200,
      latencyMs: 1,
      failedOver: false,
      upstreamRequestId: 'req_011CTnotarealrequestid',
      error: undefined,
    };
    watch?.committed?.(now + 1);
    attempt?.end?.(upstream, undefined);
    watch?.end?.({
      outcome: 'completed',
      status: 200,
      error: undefined,
      attempts: [upstream],
      record: undefined,
      endedAt: now + 2,
    });
  };
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  // Paced, a span lives as long in the batch as at that rate in the gateway.
  const turn = (): Promise<void> =>
    new Promise((resolve) =>
      rate === undefined ? setImmediate(resolve) : setTimeout(resolve, (1000 * BATCH) / rate),
    );
  // Warm-up, for two seconds: the JIT, the export thread's start, its connection.
  const warm = performance.now() + 2000;
  while (performance.now() < warm) {
    for (let j = 0; j < BATCH; j++) one();
    await turn();
  }
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuNs();
  const t0 = performance.now();
  for (let i = 0; i < interceptions; i += BATCH) {
    for (let j = 0; j < BATCH; j++) one();
    await turn();
  }
  await tracing.shutdown();
  const cpu = process.cpuUsage(cpu0);
  const mainNs = mainThreadCpuNs() - main0;
  return {
    cpuUs: (cpu.user + cpu.system) / interceptions,
    loopUs: mainNs / 1000 / interceptions,
    wallMs: performance.now() - t0,
  };
}

function variantEnv(variant: string, sink: string): NodeJS.ProcessEnv {
  const base = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: sink };
  switch (variant) {
    case 'sample0':
      return { ...base, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' };
    case 'otlp':
      return base;
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

function spawnVariant(variant: string, sink: string, interceptions: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        process.argv[1] ?? '',
        '--child',
        variant,
        '--interceptions',
        String(interceptions),
        ...(values.rate === undefined ? [] : ['--rate', values.rate]),
      ],
      { env: variantEnv(variant, sink), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildResult);
      else reject(new Error(`${variant} exited ${String(code)}`));
    });
  });
}

async function main(): Promise<void> {
  const interceptions = Number(values.interceptions);
  if (values.child !== undefined) {
    process.stdout.write(JSON.stringify(await runChild(interceptions)));
    return;
  }
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const variants = values.variants.split(',');
  const results = new Map<string, ChildResult[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(round + i) % variants.length] as string;
      const r = await spawnVariant(variant, url, interceptions);
      results.get(variant)?.push(r);
      console.log(
        `  round ${round + 1} ${variant.padEnd(8)}: ${r.cpuUs.toFixed(1)} µs CPU/interception, main thread ${r.loopUs.toFixed(1)} µs, ${r.wallMs.toFixed(0)} ms`,
      );
    }
  }
  for (const [variant, rs] of results) {
    const median = (xs: number[]): string =>
      (xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN).toFixed(1);
    console.log(
      `${variant.padEnd(8)}: median ${median(rs.map((r) => r.cpuUs))} µs CPU/interception, main thread ${median(rs.map((r) => r.loopUs))} µs`,
    );
  }
  sink.close();
}

await main();
