import { parseArgs } from 'node:util';
import { DIALECTS, type DialectId } from './dialects.js';
import type { StreamPlan } from './stream-plan.js';
import { SWITCHYARD_IDS, TARGET_IDS, type TargetId } from './targets.js';

export type ScenarioId =
  'coldstart' | 'blocking' | 'streaming' | 'deployed' | 'failover' | 'workers' | 'memory';

export const SCENARIOS: readonly ScenarioId[] = [
  'coldstart',
  'blocking',
  'streaming',
  'deployed',
  'failover',
  'workers',
  'memory',
];

export interface BenchOptions {
  readonly smoke: boolean;
  readonly scenarios: readonly ScenarioId[];
  readonly dialects: readonly DialectId[];
  /** The targets measured, baselines first; at least one gateway. */
  readonly targets: readonly TargetId[];
  /**
   * Seconds per measured run. Each (API, concurrency) is measured in `rounds` runs per target,
   * targets interleaved and rotated between rounds, and the runs are summarised together.
   */
  readonly durationS: number;
  readonly rounds: number;
  /** Load per API (c=16, plus a few streams) every process gets once, before it is measured. */
  readonly warmupS: number;
  /** Load at each concurrency just before it is measured. */
  readonly concurrencyWarmupS: number;
  readonly sampleIntMs: number;
  readonly concurrencies: readonly number[];
  /** The concurrency the targets are judged at, also used by failover and deployed. */
  readonly headlineConcurrency: number;
  /** `streams` per target and round, `concurrency` at a time, in `rounds` rounds. */
  readonly stream: {
    readonly plan: StreamPlan;
    readonly streams: number;
    readonly concurrency: number;
  };
  readonly memory: {
    readonly count: number;
    readonly holdMs: number;
    readonly openTimeoutMs: number;
    readonly plan: StreamPlan;
    readonly abortWaitMs: number;
  };
  /** Failover and deployed compare two gateways in A-B-B-A rounds; this many runs each. */
  readonly pairedRounds: number;
  readonly coldStartRuns: number;
  /** Rewrite the results section of BENCHMARKS.md (full, unrestricted runs only by default). */
  readonly writeBenchmarksMd: boolean;
  /** Instead of running: re-render a results JSON file into BENCHMARKS.md. */
  readonly render: string | undefined;
}

export const USAGE = `Usage: tsx bench/run.ts [options]   (npm run bench / npm run bench:smoke)

Runs the benchmark scenarios against the mock upstream directly, the Node floor, Portkey
and Switchyard, prints the tables and writes bench/results/ (and BENCHMARKS.md on a full run).

  --smoke               a short run of everything (~10 s of load), for CI; no timing checks
  --duration SECONDS    load per measured run (default 3, three rounds; smoke 0.2, one)
  --rounds N            measured runs per target, interleaved (default 3; smoke 1)
  --only LIST           scenarios, comma-separated: ${SCENARIOS.join(', ')}
  --dialects LIST       messages, chat, responses (default: all)
  --targets LIST        direct, floor, portkey, switchyard, switchyard-full (default: all);
                        both gateways run unless the list names one of them
  --open-streams N      streams per target and API in the memory scenario (default 2000; smoke 50)
  --write-md            rewrite BENCHMARKS.md even for a restricted run
  --render FILE         run nothing: render bench/results/results-….json into BENCHMARKS.md
  -h, --help            this text
`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((item) => item.trim());
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`${flag}: unknown "${item}" (expected ${allowed.join(', ')})`);
    }
  }
  return items as T[];
}

/** Parses the command line; undefined when only help was asked for. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      only: { type: 'string' },
      dialects: { type: 'string' },
      targets: { type: 'string' },
      'open-streams': { type: 'string' },
      'write-md': { type: 'boolean', default: false },
      render: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const smoke = values.smoke;
  const durationS = values.duration === undefined ? (smoke ? 0.2 : 3) : Number(values.duration);
  if (!(durationS > 0)) throw new Error('--duration: expected a positive number of seconds');
  const rounds = values.rounds === undefined ? (smoke ? 1 : 3) : Number(values.rounds);
  if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds: expected a count');
  const openStreams =
    values['open-streams'] === undefined ? undefined : Number(values['open-streams']);
  if (openStreams !== undefined && !(Number.isInteger(openStreams) && openStreams > 0)) {
    throw new Error('--open-streams: expected a count');
  }
  const scenarios = list(values.only, SCENARIOS, '--only');
  const dialects = list(values.dialects, DIALECTS, '--dialects');
  const gateways: readonly TargetId[] = SWITCHYARD_IDS;
  const baselines = TARGET_IDS.filter((t) => !gateways.includes(t));
  const named = list(values.targets, TARGET_IDS, '--targets');
  const namedGateways = gateways.filter((id) => named.includes(id));
  const targets: TargetId[] = [
    ...baselines.filter((id) => named.includes(id)),
    ...(namedGateways.length > 0 ? namedGateways : gateways),
  ];
  const restricted =
    values.only !== undefined || values.dialects !== undefined || values.targets !== undefined;
  return {
    smoke,
    scenarios,
    dialects,
    targets,
    durationS,
    rounds,
    warmupS: smoke ? 0 : 3,
    concurrencyWarmupS: smoke ? 0 : 1,
    sampleIntMs: smoke ? 50 : 250,
    concurrencies: [1, 16, 64],
    headlineConcurrency: 16,
    stream: smoke
      ? { plan: { events: 10, intervalMs: 10 }, streams: 4, concurrency: 2 }
      : { plan: { events: 100, intervalMs: 10 }, streams: 16, concurrency: 8 },
    memory: smoke
      ? {
          count: openStreams ?? 50,
          holdMs: 300,
          openTimeoutMs: 3_000,
          plan: { events: 400, intervalMs: 250 },
          abortWaitMs: 500,
        }
      : {
          // The target is 10,000, projected from the measured cost per stream. Every stream gets
          // an event every 250 ms, so the load grows with the count: at 9,500 the mock, the
          // runner and the target (even the Node floor, at ~43 µs of CPU per event) saturate
          // this 2-core machine, and the 1-second close criterion then measures the machine.
          count: openStreams ?? 2_000,
          holdMs: 3_000,
          openTimeoutMs: 30_000,
          plan: { events: 400, intervalMs: 250 },
          // Every upstream must be closed within 1 s of its client leaving.
          abortWaitMs: 1_000,
        },
    pairedRounds: smoke ? 1 : 4,
    coldStartRuns: smoke ? 1 : 5,
    writeBenchmarksMd: values['write-md'] || (!smoke && !restricted),
    render: values.render,
  };
}
