import type { DialectId } from './dialects.js';
import type { LoadResult } from './load.js';
import type { MachineNotes } from './machine.js';
import type { BenchOptions } from './options.js';
import type { OpenStreamsResult } from './open-streams.js';
import type { StreamProbeResult } from './stream-probe.js';

export interface LoadRow {
  readonly dialect: DialectId;
  readonly target: string;
  readonly result: LoadResult;
}

export interface StreamRow {
  readonly dialect: DialectId;
  readonly target: string;
  readonly result: StreamProbeResult;
}

export interface MemoryRow {
  readonly dialect: DialectId;
  readonly target: string;
  readonly result: OpenStreamsResult;
}

export interface FailoverRow {
  readonly dialect: DialectId;
  /** The same load, in alternating rounds, against a healthy pool and a cooling key 0. */
  readonly noCooldown: LoadResult;
  readonly cooling: LoadResult;
  /** 429s the mock answered while the cooling rounds ran: 0 when key 0 is really skipped. */
  readonly rateLimitedDuringRuns: number;
}

export interface DeployedRow {
  readonly dialect: DialectId;
  /** Alternating rounds: the plain configuration and the deployed one, fresh processes both. */
  readonly standard: LoadResult;
  readonly deployed: LoadResult;
}

export interface WorkersRow {
  readonly dialect: DialectId;
  /** Workers `--workers auto` starts here: one per available core. */
  readonly workers: number;
  /** Alternating rounds: one process, and `--workers auto`, fresh and bare both. */
  readonly one: LoadResult;
  readonly auto: LoadResult;
}

export interface DeployedFeatures {
  readonly auth: boolean;
  readonly keyPool: boolean;
  readonly interceptionLog: boolean;
  /** Bytes in the configured SQLite file after the run; undefined when none was written. */
  readonly sqliteBytes: number | undefined;
  /** Status GET /metrics answered. */
  readonly metricsStatus: number;
  readonly metricsScrapes: number;
  /** Pool size of each provider. */
  readonly keys: number;
  /** MCP tools injected into every request (listed by the gateway's /readyz). */
  readonly mcpTools: number;
  readonly shutdownDelay: string;
}

export interface Results {
  readonly startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  readonly smoke: boolean;
  readonly command: string;
  /** What the run was asked to do; the report reads durations and counts from it. */
  readonly options: BenchOptions;
  readonly settings: Record<string, string>;
  readonly machine: MachineNotes;
  /** CPU steal over the whole run, per cent (a virtual machine sharing its host). */
  stealPercent: number;
  readonly dialects: readonly DialectId[];
  readonly targets: readonly string[];
  coldStartMs: number[] | undefined;
  /** The full configuration's cold starts, each on a new SQLite file (migrations included). */
  coldStartFullMs?: number[];
  readonly blocking: LoadRow[];
  readonly streaming: StreamRow[];
  readonly deployed: DeployedRow[];
  deployedFeatures: DeployedFeatures | undefined;
  readonly failover: FailoverRow[];
  /** Absent in result files written before the scenario existed. */
  readonly workers?: WorkersRow[];
  /** Which keys each provider's key 0 was in during the failover runs. */
  failoverKeyStates: string[] | undefined;
  readonly memory: MemoryRow[];
  /** Something that makes the numbers untrustworthy: errors from the mock, the floor or Switchyard. */
  readonly problems: string[];
  /** Observations worth reading next to the numbers (e.g. the peer's errors under load). */
  readonly notes: string[];
}
