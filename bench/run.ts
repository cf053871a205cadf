/**
 * `npm run bench` / `npm run bench:smoke`: every scenario of the benchmark, with the mock
 * upstream, the Node floor and Portkey measured in the same run as Switchyard. See
 * BENCHMARKS.md for what is measured and how to read it; `--help` for the flags.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './compile.js';
import { cpuTimes, machineNotes, stealPercent } from './machine.js';
import { MockProcess } from './mock-process.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { renderResults, spliceResults } from './report.js';
import type { Results } from './results.js';
import {
  blocking,
  coldStart,
  deployed,
  failover,
  memory,
  startTargets,
  stopTargets,
  streaming,
  type BenchContext,
  type TargetSet,
  workers,
} from './scenarios.js';

const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md');

function settings(options: BenchOptions): Record<string, string> {
  const { stream, memory: mem } = options;
  return {
    'warm-up': `${options.warmupS} s of blocking load per API and 16 streams for every process, ${options.concurrencyWarmupS} s before each concurrency`,
    'blocking runs': `${options.rounds} × ${options.durationS} s per target, interleaved, c = ${options.concurrencies.join(', ')}`,
    streaming: `${options.rounds} × ${stream.streams} streams per target, ${stream.concurrency} at a time, ${stream.plan.events} events ${stream.plan.intervalMs} ms apart`,
    'open streams': `${mem.count} per target and API`,
    'failover and deployed': `${options.pairedRounds} × ${options.durationS} s per phase or gateway, A-B-B-A`,
    'cold starts': String(options.coldStartRuns),
  };
}

function command(argv: readonly string[]): string {
  const rest = argv.filter((arg) => arg !== '--smoke');
  const base = argv.includes('--smoke') ? 'npm run bench:smoke' : 'npm run bench';
  return rest.length === 0 ? base : `${base} -- ${rest.join(' ')}`;
}

async function execute(context: BenchContext): Promise<void> {
  const { scenarios } = context.options;
  if (scenarios.includes('coldstart')) await coldStart(context);
  const targets: TargetSet = new Map();
  try {
    if (scenarios.includes('blocking') || scenarios.includes('streaming')) {
      await startTargets(context, targets);
    }
    if (scenarios.includes('blocking')) await blocking(context, targets);
    if (scenarios.includes('streaming')) await streaming(context, targets);
    if (scenarios.includes('failover')) await failover(context);
  } finally {
    await stopTargets(targets);
  }
  if (scenarios.includes('deployed')) await deployed(context);
  if (scenarios.includes('workers')) await workers(context);
  if (scenarios.includes('memory')) await memory(context);
}

function writeBenchmarksMd(markdown: string): void {
  const current = existsSync(BENCHMARKS_MD)
    ? readFileSync(BENCHMARKS_MD, 'utf8')
    : '# Benchmarks\n';
  writeFileSync(BENCHMARKS_MD, spliceResults(current, markdown));
}

/** Re-renders a finished run (e.g. after changing the report) without measuring again. */
function render(file: string): number {
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  // Files written before the options were recorded were all full runs with the defaults.
  const options = (results as Partial<Results>).options ?? parseOptions([]);
  if (options === undefined) throw new Error(`${file}: no options`);
  const markdown = renderResults(results, options);
  writeBenchmarksMd(markdown);
  process.stdout.write(`${markdown}\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.render !== undefined) return render(options.render);
  const started = new Date();
  const t0 = performance.now();
  // Logs, configs and databases of the last run only; result files accumulate.
  const runDir = join(RESULTS_DIR, options.smoke ? 'last-smoke-run' : 'last-run');
  rmSync(runDir, { recursive: true, force: true });
  const dirs = { work: join(runDir, 'work'), logs: join(runDir, 'logs') };
  mkdirSync(dirs.work, { recursive: true });
  const results: Results = {
    startedAt: started.toISOString(),
    finishedAt: '',
    wallSeconds: 0,
    smoke: options.smoke,
    command: command(argv),
    options,
    settings: settings(options),
    machine: machineNotes(),
    stealPercent: Number.NaN,
    dialects: options.dialects,
    targets: options.targets,
    coldStartMs: undefined,
    blocking: [],
    streaming: [],
    deployed: [],
    deployedFeatures: undefined,
    failover: [],
    workers: [],
    failoverKeyStates: undefined,
    memory: [],
    problems: [],
    notes: [],
  };
  const log = (line: string): void => {
    const seconds = ((performance.now() - t0) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${seconds}s] ${line}\n`);
  };
  log(`bench: ${options.scenarios.join(', ')}; logs in ${runDir}`);
  const cpuAtStart = cpuTimes();
  const mock = await MockProcess.start(dirs.logs);
  try {
    await execute({ options, mock, dirs, results, log });
  } finally {
    await mock.stop();
  }
  results.stealPercent = stealPercent(cpuAtStart, cpuTimes());
  results.finishedAt = new Date().toISOString();
  results.wallSeconds = (performance.now() - t0) / 1000;

  const markdown = renderResults(results, options);
  const name = `results-${results.startedAt.replace(/[:.]/g, '-')}${options.smoke ? '-smoke' : ''}`;
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `${name}.md`), `${markdown}\n`);
  writeFileSync(join(runDir, 'results.md'), `${markdown}\n`);
  if (options.writeBenchmarksMd) {
    writeBenchmarksMd(markdown);
    log('results written to BENCHMARKS.md');
  }
  process.stdout.write(`\n${markdown}\n`);
  log(`done in ${results.wallSeconds.toFixed(0)} s; results in bench/results/${name}.md`);
  if (results.problems.length > 0) {
    log(`${results.problems.length} problem(s): the numbers above are not trustworthy`);
    return 1;
  }
  return 0;
}

// Exit explicitly: a keep-alive socket or a child left behind by a failure must not keep the
// runner waiting (the exit hook in processes.ts kills any child still running).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
