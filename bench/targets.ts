import { join } from 'node:path';
import { compileChild } from './compile.js';
import { DIALECT_SPECS, keyHeaders, type DialectId } from './dialects.js';
import type { MockProcess } from './mock-process.js';
import { spawnNode, waitForListening, type ChildHandle } from './processes.js';

/** The baselines and the gateway, in the order the tables list them. */
export type TargetId = 'direct' | 'floor' | 'portkey' | 'switchyard' | 'switchyard-full';

export const TARGET_IDS: readonly TargetId[] = [
  'direct',
  'floor',
  'portkey',
  'switchyard',
  'switchyard-full',
];

/** The gateway in its two configurations: bare, and full as a team deploys it. */
export const SWITCHYARD_IDS = [
  'switchyard',
  'switchyard-full',
] as const satisfies readonly TargetId[];

/** Where a client sends one dialect's requests, with which headers. */
export interface Endpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Something a client can talk to: the mock itself, a baseline proxy or a gateway. */
export interface Target {
  /** e.g. `switchyard`, or `switchyard-failover` for a variant. */
  readonly id: string;
  readonly label: string;
  /** The process whose memory and CPU are the target's; undefined for the upstream itself. */
  readonly process: ChildHandle | undefined;
  /** The provider credential the mock must receive for this target's requests. */
  readonly upstreamKey: string;
  endpoint(dialect: DialectId): Endpoint;
  stop(): Promise<void>;
}

/** The provider key a client sends where no gateway swaps it (direct, floor, Portkey). */
export const CLIENT_KEY = 'key-a';

export const TARGET_LABELS: Readonly<Record<TargetId, string>> = {
  direct: 'direct (mock upstream)',
  floor: 'Node floor (node:http + undici)',
  portkey: 'Portkey gateway 1.15.2',
  switchyard: 'Switchyard, bare',
  'switchyard-full': 'Switchyard, full configuration',
};

export function directTarget(mock: MockProcess): Target {
  return {
    id: 'direct',
    label: TARGET_LABELS.direct,
    process: undefined,
    upstreamKey: CLIENT_KEY,
    endpoint: (dialect) => {
      const spec = DIALECT_SPECS[dialect];
      return { url: mock.origin + spec.upstreamPath, headers: keyHeaders(spec.family, CLIENT_KEY) };
    },
    stop: () => Promise.resolve(),
  };
}

export async function startFloor(mock: MockProcess, logDir: string): Promise<Target> {
  const child = spawnNode({
    name: 'node floor',
    args: [compileChild('bench/node-floor.ts'), mock.origin],
    logFile: join(logDir, 'node-floor.log'),
    ipc: true,
  });
  const origin = `http://127.0.0.1:${await waitForListening(child)}`;
  return {
    id: 'floor',
    label: TARGET_LABELS.floor,
    process: child,
    upstreamKey: CLIENT_KEY,
    endpoint: (dialect) => {
      const spec = DIALECT_SPECS[dialect];
      return { url: origin + spec.upstreamPath, headers: keyHeaders(spec.family, CLIENT_KEY) };
    },
    stop: () => child.stop(),
  };
}
