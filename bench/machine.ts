import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { REPO_ROOT } from './compile.js';

export interface MachineNotes {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly loadAverageAtStart: string;
  readonly commit: string;
  readonly versions: Record<string, string>;
}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function commit(): string {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const head = run(['rev-parse', '--short', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--', 'src']) !== '';
    return dirty ? `${head} (src/ modified)` : head;
  } catch {
    return 'unknown';
  }
}

function packageVersion(path: string): string {
  try {
    const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/${path}/package.json`, 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Cumulative CPU time of the machine (all CPUs), in clock ticks, from /proc/stat. */
export interface CpuTimes {
  readonly total: number;
  /** Time the hypervisor ran something else while a virtual CPU wanted to run. */
  readonly steal: number;
}

export function cpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is in user.
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { total, steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** Steal time between two readings, as a percentage of all CPU time. */
export function stealPercent(from: CpuTimes | undefined, to: CpuTimes | undefined): number {
  if (from === undefined || to === undefined || to.total === from.total) return Number.NaN;
  return ((to.steal - from.steal) / (to.total - from.total)) * 100;
}

export function machineNotes(): MachineNotes {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: osName(),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    commit: commit(),
    versions: {
      autocannon: packageVersion('bench/node_modules/autocannon'),
      '@portkey-ai/gateway': packageVersion('bench/node_modules/@portkey-ai/gateway'),
      undici: packageVersion('node_modules/undici'),
    },
  };
}
