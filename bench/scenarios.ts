import { DIALECT_SPECS, type DialectId } from './dialects.js';
import { runLoad, type LoadResult } from './load.js';
import type { MockProcess } from './mock-process.js';
import { holdOpenStreams } from './open-streams.js';
import type { BenchOptions } from './options.js';
import { startPortkey } from './portkey.js';
import type { Results } from './results.js';
import { probeStreams } from './stream-probe.js';
import {
  databaseBytes,
  DEPLOYED,
  FAILOVER,
  measureColdStart,
  STANDARD,
  startSwitchyard,
  type SwitchyardTarget,
} from './switchyard.js';
import { directTarget, startFloor, type Target, type TargetId } from './targets.js';
import { verifyTarget } from './verify.js';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly mock: MockProcess;
  readonly dirs: { readonly work: string; readonly logs: string };
  readonly results: Results;
  log(line: string): void;
}

/** The running targets, keyed by id, in table order. */
export type TargetSet = Map<TargetId, Target>;

async function startTarget(context: BenchContext, id: TargetId): Promise<Target> {
  const { mock, dirs } = context;
  switch (id) {
    case 'direct':
      return directTarget(mock);
    case 'floor':
      return startFloor(mock, dirs.logs);
    case 'portkey':
      return startPortkey(mock, dirs.logs);
    case 'switchyard':
      return startSwitchyard(STANDARD, mock, dirs);
  }
}

async function startVerified(context: BenchContext, id: TargetId): Promise<Target> {
  const target = await startTarget(context, id);
  try {
    await verifyTarget(target, context.mock, context.options.dialects);
  } catch (error) {
    await target.stop();
    throw error;
  }
  return target;
}

export async function startTargets(context: BenchContext): Promise<TargetSet> {
  const targets: TargetSet = new Map();
  for (const id of context.options.targets) {
    context.log(`starting and verifying ${id}`);
    targets.set(id, await startVerified(context, id));
  }
  return targets;
}

export async function stopTargets(targets: TargetSet): Promise<void> {
  for (const target of targets.values()) await target.stop();
  targets.clear();
}

/** Errors from the peer are findings; from anything else they make the numbers suspect. */
function report(context: BenchContext, target: string, what: string): void {
  const line = `${target}: ${what}`;
  if (target === 'portkey') context.results.notes.push(line);
  else context.results.problems.push(line);
  context.log(`  ! ${line}`);
}

function loadProblems(context: BenchContext, target: string, where: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0 || r.ok === 0) {
    const statuses = Object.entries(r.statuses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, n]) => `${n}×${status}`)
      .join(', ');
    report(
      context,
      target,
      `${where}: ${r.ok} ok, ${r.non2xx} non-2xx${statuses === '' ? '' : ` (${statuses})`}, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  }
}

async function load(
  context: BenchContext,
  target: Target,
  dialect: DialectId,
  connections: number,
  durationS: number,
  everySecond?: () => void,
): Promise<LoadResult> {
  return runLoad({
    endpoint: target.endpoint(dialect),
    body: DIALECT_SPECS[dialect].body(),
    connections,
    durationS,
    sampleIntMs: context.options.sampleIntMs,
    process: target.process,
    everySecond,
  });
}

async function warm(
  context: BenchContext,
  target: Target,
  dialect: DialectId,
  c: number,
): Promise<void> {
  if (context.options.warmupS > 0) await load(context, target, dialect, c, context.options.warmupS);
}

const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`;

export async function coldStart(context: BenchContext): Promise<void> {
  context.log('cold start: spawn to first 200 from /readyz');
  const times = await measureColdStart(context.mock, context.options.coldStartRuns, context.dirs);
  context.results.coldStartMs = times;
  context.log(`  ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
}

/** Blocking requests at each concurrency, targets interleaved so drift hits them alike. */
export async function blocking(context: BenchContext, targets: TargetSet): Promise<void> {
  for (const dialect of context.options.dialects) {
    for (const c of context.options.concurrencies) {
      for (const [id, target] of targets) {
        await warm(context, target, dialect, c);
        const result = await load(context, target, dialect, c, context.options.durationS);
        context.results.blocking.push({ dialect, target: id, result });
        context.log(`blocking ${dialect} c=${c} ${id}: ${fmt(result)}`);
        loadProblems(context, id, `blocking ${dialect} c=${c}`, result);
      }
    }
  }
}

export async function streaming(context: BenchContext, targets: TargetSet): Promise<void> {
  for (const dialect of context.options.dialects) {
    for (const [id, target] of targets) {
      const result = await probeStreams(target.endpoint(dialect), dialect, context.options.stream);
      context.results.streaming.push({ dialect, target: id, result });
      context.log(
        `streaming ${dialect} ${id}: TTFB p50 ${result.ttfbP50Ms.toFixed(2)} ms, delay p50 ${result.delayP50Ms.toFixed(2)} / p99 ${result.delayP99Ms.toFixed(2)} ms`,
      );
      if (result.failed > 0) {
        report(
          context,
          id,
          `streaming ${dialect}: ${result.failed}/${result.streams} streams failed or incomplete (${result.firstError ?? ''}), ${result.eventsReceived}/${result.eventsExpected} events`,
        );
      }
    }
  }
}

/**
 * Key 0 of both pools answers 429 with `retry-after: 3600`. Verification primes it (the first
 * request cools it down); then the same load runs against this gateway and one with a healthy
 * pool, in alternating rounds.
 */
export async function failover(context: BenchContext, targets: TargetSet): Promise<void> {
  const { options, mock, results } = context;
  const owned = targets.get('switchyard') === undefined;
  const standard = targets.get('switchyard') ?? (await startVerified(context, 'switchyard'));
  const cooling = await startSwitchyard(FAILOVER, mock, context.dirs);
  try {
    await verifyTarget(cooling, mock, options.dialects);
    const states = await cooling.keyStates(0);
    results.failoverKeyStates = states;
    if (!states.every((s) => s === 'temporary')) {
      report(context, cooling.id, `key 0 is ${states.join('/')} after priming, not temporary`);
    }
    const c = options.headlineConcurrency;
    for (const dialect of options.dialects) {
      await warm(context, standard, dialect, c);
      await warm(context, cooling, dialect, c);
      const row = {
        dialect,
        noCooldown: [] as LoadResult[],
        cooling: [] as LoadResult[],
        rateLimitedDuringRuns: 0,
      };
      for (let round = 0; round < options.failoverRounds; round++) {
        const order = round % 2 === 0 ? [standard, cooling] : [cooling, standard];
        for (const target of order) {
          const before = (await mock.stats()).rateLimited;
          const result = await load(context, target, dialect, c, options.durationS);
          const limited = (await mock.stats()).rateLimited - before;
          if (target === cooling) {
            row.cooling.push(result);
            row.rateLimitedDuringRuns += limited;
          } else {
            row.noCooldown.push(result);
          }
          context.log(`failover ${dialect} ${target.id}: ${fmt(result)}, ${limited} upstream 429s`);
          loadProblems(context, target.id, `failover ${dialect}`, result);
        }
      }
      results.failover.push(row);
    }
  } finally {
    await cooling.stop();
    if (owned) await standard.stop();
  }
}

/** Recording and metrics on as a team would run it: see DEPLOYED in switchyard.ts. */
export async function deployed(context: BenchContext): Promise<void> {
  const { options, mock, results } = context;
  const target: SwitchyardTarget = await startSwitchyard(DEPLOYED, mock, context.dirs);
  try {
    await verifyTarget(target, mock, options.dialects);
    const metricsUrl = `${target.origin}/metrics`;
    const probe = await fetch(metricsUrl);
    await probe.arrayBuffer();
    let scrapes = 0;
    const scrape =
      DEPLOYED.scrapeMetrics && probe.status === 200
        ? (): void => {
            scrapes++;
            void fetch(metricsUrl).then((r) => r.arrayBuffer());
          }
        : undefined;
    const c = options.headlineConcurrency;
    for (const dialect of options.dialects) {
      await warm(context, target, dialect, c);
      const result = await load(context, target, dialect, c, options.durationS, scrape);
      results.deployed.push({ dialect, result });
      context.log(`deployed ${dialect} c=${c}: ${fmt(result)}`);
      loadProblems(context, target.id, `deployed ${dialect}`, result);
    }
    results.deployedFeatures = {
      auth: true,
      keyPool: true,
      interceptionLog: DEPLOYED.logLevel === 'info',
      sqliteBytes: databaseBytes(target),
      metricsStatus: probe.status,
      metricsScrapes: scrapes,
    };
  } finally {
    await target.stop();
  }
}

/** Each (target, dialect) on a fresh process, warmed up, then `memory.count` open streams. */
export async function memory(context: BenchContext): Promise<void> {
  const { options, mock, results } = context;
  const ids = options.targets.filter((id) => id !== 'direct');
  for (const dialect of options.dialects) {
    for (const id of ids) {
      const target = await startVerified(context, id);
      try {
        await load(context, target, dialect, 16, Math.min(1, options.durationS));
        const result = await holdOpenStreams(target, dialect, mock, options.memory);
        results.memory.push({ dialect, target: id, result });
        context.log(
          `memory ${dialect} ${id}: ${result.opened}/${result.requested} open, RSS ${result.rssBeforeMb.toFixed(0)} → ${result.rssPeakMb.toFixed(0)} MB (+${result.addedMb.toFixed(1)})`,
        );
      } finally {
        await target.stop();
      }
    }
  }
}
