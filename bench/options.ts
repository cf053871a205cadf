import { parseArgs } from 'node:util';
import { DIALECTS, type DialectId } from './dialects.js';
import type { StreamPlan } from './stream-plan.js';
import { TARGET_IDS, type TargetId } from './targets.js';

export type ScenarioId =
  'coldstart' | 'blocking' | 'streaming' | 'deployed' | 'failover' | 'memory';

export const SCENARIOS: readonly ScenarioId[] = [
  'coldstart',
  'blocking',
  'streaming',
  'deployed',
  'failover',
  'memory',
];

export interface BenchOptions {
  readonly smoke: boolean;
  readonly scenarios: readonly ScenarioId[];
  readonly dialects: readonly DialectId[];
  /** Switchyard is always measured; these are the baselines next to it. */
  readonly targets: readonly TargetId[];
  /** Seconds of load per measured run; each (target, dialect, concurrency) is warmed up first. */
  readonly durationS: number;
  readonly warmupS: number;
  readonly sampleIntMs: number;
  readonly concurrencies: readonly number[];
  /** The concurrency the targets are judged at, also used by failover and deployed. */
  readonly headlineConcurrency: number;
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
  };
  readonly failoverRounds: number;
  readonly coldStartRuns: number;
  /** Rewrite the results section of BENCHMARKS.md (full, unrestricted runs only by default). */
  readonly writeBenchmarksMd: boolean;
}

export const USAGE = `Usage: tsx bench/run.ts [options]   (npm run bench / npm run bench:smoke)

Runs the benchmark scenarios against the mock upstream directly, the Node floor, Portkey
and Switchyard, prints the tables and writes bench/results/ (and BENCHMARKS.md on a full run).

  --smoke               a short run of everything (~10 s of load), for CI; no timing checks
  --duration SECONDS    load per measured run (default 10; smoke 0.25)
  --only LIST           scenarios, comma-separated: ${SCENARIOS.join(', ')}
  --dialects LIST       messages, chat, responses (default: all)
  --targets LIST        baselines next to Switchyard: direct, floor, portkey (default: all)
  --write-md            rewrite BENCHMARKS.md even for a restricted run
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
      only: { type: 'string' },
      dialects: { type: 'string' },
      targets: { type: 'string' },
      'write-md': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const smoke = values.smoke;
  const durationS = values.duration === undefined ? (smoke ? 0.25 : 10) : Number(values.duration);
  if (!(durationS > 0)) throw new Error('--duration: expected a positive number of seconds');
  const scenarios = list(values.only, SCENARIOS, '--only');
  const dialects = list(values.dialects, DIALECTS, '--dialects');
  const baselines = TARGET_IDS.filter((t) => t !== 'switchyard');
  const targets: TargetId[] = [...list(values.targets, baselines, '--targets'), 'switchyard'];
  const restricted =
    values.only !== undefined || values.dialects !== undefined || values.targets !== undefined;
  return {
    smoke,
    scenarios,
    dialects,
    targets,
    durationS,
    warmupS: smoke ? 0 : Math.min(2, durationS),
    sampleIntMs: smoke ? 50 : 250,
    concurrencies: [1, 16, 64],
    headlineConcurrency: 16,
    stream: smoke
      ? { plan: { events: 10, intervalMs: 10 }, streams: 4, concurrency: 2 }
      : { plan: { events: 100, intervalMs: 10 }, streams: 48, concurrency: 8 },
    memory: smoke
      ? { count: 50, holdMs: 300, openTimeoutMs: 3_000, plan: { events: 400, intervalMs: 250 } }
      : {
          count: 1000,
          holdMs: 3_000,
          openTimeoutMs: 15_000,
          plan: { events: 400, intervalMs: 250 },
        },
    failoverRounds: smoke ? 1 : 2,
    coldStartRuns: smoke ? 1 : 5,
    writeBenchmarksMd: values['write-md'] || (!smoke && !restricted),
  };
}
