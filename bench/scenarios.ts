import { availableParallelism } from 'node:os';
import { DIALECT_SPECS, type DialectId } from './dialects.js';
import { runLoad, summarize, type LoadResult, type LoadRun } from './load.js';
import type { MockProcess } from './mock-process.js';
import { holdOpenStreams } from './open-streams.js';
import type { BenchOptions } from './options.js';
import { startPortkey } from './portkey.js';
import type { Results } from './results.js';
import { streamBatch, summarizeStreams, type StreamSample } from './stream-probe.js';
import {
  startFullSwitchyard,
  withColdStartMcp,
  fullProfile,
  type FullTarget,
} from './full-config.js';
import {
  BARE,
  databaseBytes,
  FAILOVER,
  measureColdStart,
  startSwitchyard,
  type SwitchyardProfile,
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

/** Round `round` of an interleaved measurement visits the targets in this order. */
function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function load(
  context: BenchContext,
  target: Target,
  dialect: DialectId,
  connections: number,
  durationS: number,
  everySecond?: () => void,
): Promise<LoadRun> {
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

/**
 * A fresh Node process is far from its steady state (JIT, heap, connection pools): every
 * process gets blocking load at c=16 and a few streams for each API before it is measured.
 */
async function warmUp(
  context: BenchContext,
  target: Target,
  dialects: readonly DialectId[],
): Promise<void> {
  const seconds = context.options.warmupS;
  if (seconds <= 0) return;
  for (const dialect of dialects) {
    await load(context, target, dialect, 16, seconds);
    const plan = { events: 10, intervalMs: 2 };
    await streamBatch(target.endpoint(dialect), dialect, plan, 16, 8);
  }
}

async function verifiedAndWarm<T extends Target>(
  context: BenchContext,
  target: T,
  dialects: readonly DialectId[] = context.options.dialects,
): Promise<T> {
  try {
    await verifyTarget(target, context.mock, context.options.dialects);
    await warmUp(context, target, dialects);
  } catch (error) {
    await target.stop();
    throw error;
  }
  return target;
}

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
      return startSwitchyard(BARE, mock, dirs);
    case 'switchyard-full':
      return startFullSwitchyard(mock, dirs);
  }
}

async function startSwitchyardWarm(
  context: BenchContext,
  profile: SwitchyardProfile,
): Promise<SwitchyardTarget> {
  context.log(`starting, verifying and warming up ${profile.id}`);
  return verifiedAndWarm(context, await startSwitchyard(profile, context.mock, context.dirs));
}

/** Starts every selected target into `targets` (so the caller can stop what did start). */
export async function startTargets(context: BenchContext, targets: TargetSet): Promise<void> {
  for (const id of context.options.targets) {
    context.log(`starting, verifying and warming up ${id}`);
    targets.set(id, await verifiedAndWarm(context, await startTarget(context, id)));
  }
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

function checkErrors(context: BenchContext, target: string, where: string, r: LoadResult): void {
  if (r.non2xx > 0 || r.errors > 0) {
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

const fmt = (r: LoadResult): string =>
  `${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.cpuUsPerRequest?.toFixed(0) ?? '—'} µs CPU/req`;

export async function coldStart(context: BenchContext): Promise<void> {
  const { mock, options, dirs } = context;
  context.log('cold start: spawn to first 200 from /readyz, bare');
  const bare = await measureColdStart(mock, options.coldStartRuns, dirs, () => ({
    ...BARE,
    id: 'switchyard-coldstart',
  }));
  context.results.coldStartMs = bare;
  context.log(`  ${bare.map((t) => t.toFixed(0)).join(', ')} ms`);
  context.log('cold start, full configuration (a new SQLite file each run: migrations included)');
  const full = await withColdStartMcp((mcpUrl) =>
    measureColdStart(mock, options.coldStartRuns, dirs, (run) => ({
      ...fullProfile(mcpUrl, `coldstart-${run}-${Date.now()}.db`),
      id: 'switchyard-full-coldstart',
    })),
  );
  context.results.coldStartFullMs = full;
  context.log(`  ${full.map((t) => t.toFixed(0)).join(', ')} ms`);
}

/**
 * Blocking requests at each concurrency: `rounds` runs per target, the targets interleaved
 * and their order rotated each round, so drift and noise hit them alike.
 */
export async function blocking(context: BenchContext, targets: TargetSet): Promise<void> {
  const { options } = context;
  const ids = [...targets.keys()];
  for (const dialect of options.dialects) {
    for (const c of options.concurrencies) {
      const runs = new Map<TargetId, LoadRun[]>(ids.map((id) => [id, []]));
      if (options.concurrencyWarmupS > 0) {
        for (const target of targets.values()) {
          await load(context, target, dialect, c, options.concurrencyWarmupS);
        }
      }
      for (let round = 0; round < options.rounds; round++) {
        for (const id of rotate(ids, round)) {
          const target = targets.get(id);
          if (target !== undefined) {
            runs.get(id)?.push(await load(context, target, dialect, c, options.durationS));
          }
        }
      }
      for (const id of ids) {
        const result = summarize(runs.get(id) ?? []);
        context.results.blocking.push({ dialect, target: id, result });
        context.log(`blocking ${dialect} c=${c} ${id}: ${fmt(result)}`);
        checkErrors(context, id, `blocking ${dialect} c=${c}`, result);
      }
    }
  }
}

/** Streams in rounds, targets interleaved like the blocking runs. */
export async function streaming(context: BenchContext, targets: TargetSet): Promise<void> {
  const { options } = context;
  const { plan, streams, concurrency } = options.stream;
  const ids = [...targets.keys()];
  for (const dialect of options.dialects) {
    const samples = new Map<TargetId, StreamSample[][]>(ids.map((id) => [id, []]));
    for (let round = 0; round < options.rounds; round++) {
      for (const id of rotate(ids, round)) {
        const target = targets.get(id);
        if (target === undefined) continue;
        const batch = await streamBatch(
          target.endpoint(dialect),
          dialect,
          plan,
          streams,
          concurrency,
        );
        samples.get(id)?.push(batch);
      }
    }
    for (const id of ids) {
      const rounds = samples.get(id) ?? [];
      const result = summarizeStreams(rounds.flat(), plan, rounds);
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
 * Two gateways under the same load in A-B-B-A order (`pairedRounds` runs each), so a slow
 * drift of the machine cancels out of the comparison.
 */
async function paired(
  context: BenchContext,
  dialect: DialectId,
  a: Target,
  b: Target,
  run: (target: Target) => Promise<LoadRun>,
): Promise<[LoadResult, LoadResult]> {
  const { options } = context;
  if (options.concurrencyWarmupS > 0) {
    for (const target of [a, b]) {
      await load(context, target, dialect, options.headlineConcurrency, options.concurrencyWarmupS);
    }
  }
  const runs: [LoadRun[], LoadRun[]] = [[], []];
  for (let round = 0; round < options.pairedRounds; round++) {
    for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
      runs[which === 0 ? 0 : 1].push(await run(which === 0 ? a : b));
    }
  }
  return [summarize(runs[0]), summarize(runs[1])];
}

/** One blocking request through `target`, whose answer must be a 200. */
async function sendOne(target: Target, dialect: DialectId): Promise<void> {
  const endpoint = target.endpoint(dialect);
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { ...endpoint.headers, 'content-type': 'application/json' },
    body: DIALECT_SPECS[dialect].body(),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`${target.label}: HTTP ${response.status}`);
}

/**
 * One Switchyard process, two phases in A-B-B-A order: healthy (the mock serves key 0 and
 * key 0 is re-enabled through the admin API) and cooling (the mock answers key 0 with 429
 * `retry-after: 3600`; one request cools it down, and then every request skips it). Two
 * processes would compare their JIT and memory layout as much as the failover path: that
 * moved the result by ±14 % between runs.
 */
export async function failover(context: BenchContext): Promise<void> {
  const { options, mock, results } = context;
  // Verified and warmed up with key 0 cooling, as the profile's expected upstream key says.
  const gateway = await startSwitchyardWarm(context, FAILOVER);
  // Two views of the same process, so that the paired runner can tell the phases apart.
  const healthy: Target = { ...gateway, id: `${gateway.id}-healthy` };
  const cooling: Target = { ...gateway, id: `${gateway.id}-cooling` };
  try {
    const c = options.headlineConcurrency;
    const states: string[] = [];
    for (const dialect of options.dialects) {
      let rateLimitedDuringRuns = 0;
      const [noCooldown, coolingResult] = await paired(
        context,
        dialect,
        healthy,
        cooling,
        async (phase) => {
          await mock.setRateLimiting(phase === cooling);
          if (phase === cooling) {
            await sendOne(gateway, dialect);
            const provider = DIALECT_SPECS[dialect].family === 'anthropic' ? 0 : 1;
            states.push((await gateway.keyStates(0))[provider] ?? 'missing');
          } else await gateway.enableKey(0);
          const before = (await mock.stats()).rateLimited;
          const run = await load(context, phase, dialect, c, options.durationS);
          if (phase === cooling) rateLimitedDuringRuns += (await mock.stats()).rateLimited - before;
          return run;
        },
      );
      results.failover.push({ dialect, noCooldown, cooling: coolingResult, rateLimitedDuringRuns });
      context.log(`failover ${dialect} healthy pool: ${fmt(noCooldown)}`);
      context.log(
        `failover ${dialect} key 0 cooling: ${fmt(coolingResult)}, ${rateLimitedDuringRuns} upstream 429s`,
      );
      checkErrors(context, healthy.id, `failover ${dialect}`, noCooldown);
      checkErrors(context, cooling.id, `failover ${dialect}`, coolingResult);
    }
    results.failoverKeyStates = [...new Set(states)];
    if (!states.every((state) => state === 'temporary')) {
      report(context, gateway.id, `key 0 was ${states.join('/')} in cooling runs, not temporary`);
    }
  } finally {
    await mock.setRateLimiting(true);
    await gateway.stop();
  }
}

/**
 * The full configuration against the bare gateway, paired A-B-B-A on two fresh processes:
 * a finer measure of what the features cost together than the interleaved tables.
 */
export async function deployed(context: BenchContext): Promise<void> {
  const { options, results } = context;
  const standard = await startSwitchyardWarm(context, BARE);
  try {
    context.log('starting, verifying and warming up switchyard-full');
    const target: FullTarget = await verifiedAndWarm(
      context,
      await startFullSwitchyard(context.mock, context.dirs),
    );
    try {
      const metricsProbe = await fetch(`${target.origin}/metrics`);
      await metricsProbe.arrayBuffer();
      const c = options.headlineConcurrency;
      for (const dialect of options.dialects) {
        const [plain, deployedResult] = await paired(context, dialect, standard, target, (t) =>
          load(context, t, dialect, c, options.durationS),
        );
        results.deployed.push({ dialect, standard: plain, deployed: deployedResult });
        context.log(`deployed ${dialect} c=${c} plain: ${fmt(plain)}`);
        context.log(`deployed ${dialect} c=${c} deployed: ${fmt(deployedResult)}`);
        checkErrors(context, standard.id, `deployed ${dialect}`, plain);
        checkErrors(context, target.id, `deployed ${dialect}`, deployedResult);
      }
      results.deployedFeatures = {
        auth: true,
        keyPool: true,
        keys: target.profile.keys.length,
        interceptionLog: target.profile.logLevel === 'info',
        sqliteBytes: databaseBytes(target),
        metricsStatus: metricsProbe.status,
        metricsScrapes: target.scrapes(),
        mcpTools: target.toolCount,
        shutdownDelay: target.shutdownDelay,
      };
    } finally {
      await target.stop();
    }
  } finally {
    await standard.stop();
  }
}

/**
 * `serve --workers auto` against one process, bare, paired A-B-B-A like the deployed
 * scenario. Only throughput and latency compare: the CPU the harness reads is one process's,
 * and with workers that is the primary, which only accepts connections.
 */
export async function workers(context: BenchContext): Promise<void> {
  const { options, results } = context;
  const one = await startSwitchyardWarm(context, {
    ...BARE,
    id: 'switchyard-workers-1',
    label: 'Switchyard, bare, one process',
  });
  try {
    const auto = await startSwitchyardWarm(context, {
      ...BARE,
      id: 'switchyard-workers-auto',
      label: 'Switchyard, bare, --workers auto',
      extra: { workers: 'auto' },
    });
    try {
      const c = options.headlineConcurrency;
      for (const dialect of options.dialects) {
        const [single, many] = await paired(context, dialect, one, auto, (t) =>
          load(context, t, dialect, c, options.durationS),
        );
        results.workers?.push({
          dialect,
          workers: availableParallelism(),
          one: single,
          auto: many,
        });
        context.log(`workers ${dialect} c=${c} one process: ${fmt(single)}`);
        context.log(`workers ${dialect} c=${c} --workers auto: ${fmt(many)}`);
        checkErrors(context, one.id, `workers ${dialect}`, single);
        checkErrors(context, auto.id, `workers ${dialect}`, many);
      }
    } finally {
      await auto.stop();
    }
  } finally {
    await one.stop();
  }
}

/** Each (target, API) on a fresh, warmed-up process, then `memory.count` open streams. */
export async function memory(context: BenchContext): Promise<void> {
  const { options, mock, results } = context;
  const ids = options.targets.filter((id) => id !== 'direct');
  for (const dialect of options.dialects) {
    for (const id of ids) {
      const target = await verifiedAndWarm(context, await startTarget(context, id), [dialect]);
      try {
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
