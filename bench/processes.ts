import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { isListeningMessage } from './mock-protocol.js';

/** Linux reports process CPU time in clock ticks; 100 per second on every common kernel. */
const CLOCK_TICKS_PER_SECOND = 100;

const live = new Set<ChildHandle>();
// Whatever happens to the runner, no measured process outlives it.
process.on('exit', () => {
  for (const child of live) child.proc.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.exit(130);
  });
}

export interface SpawnOptions {
  readonly name: string;
  /** Arguments to `node`: the script first. */
  readonly args: readonly string[];
  /** stdout and stderr go here (appended). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Open an IPC channel: the child reports its port with {@link ListeningMessage}. */
  readonly ipc?: boolean;
}

/** A measured child process: its memory and CPU time come from /proc. */
export class ChildHandle {
  readonly exited: Promise<void>;
  private exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    live.add(this);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code) => {
        this.exitCode = code;
        live.delete(this);
        resolve();
      });
    });
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error(`${this.name} did not start`);
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resident set size (VmRSS) in MiB, or undefined once the process is gone. */
  rssMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
      return match === null ? undefined : Number(match[1]) / 1024;
    } catch {
      return undefined;
    }
  }

  /** User + system CPU time consumed so far, in milliseconds. */
  cpuMs(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.proc.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }
}

export function spawnNode(options: SpawnOptions): ChildHandle {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const proc = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.ipc === true ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
  });
  closeSync(log);
  return new ChildHandle(options.name, proc);
}

/** The port a child with an IPC channel reports once it listens. */
export function waitForListening(child: ChildHandle, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${child.name} did not report its port within ${timeoutMs} ms`));
    }, timeoutMs);
    child.proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited with code ${String(code)} before listening`));
    });
    child.proc.on('message', (message) => {
      if (isListeningMessage(message)) {
        clearTimeout(timer);
        resolve(message.listening);
      }
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers `status` (any status when undefined). */
export async function waitForHttp(
  url: string,
  child: ChildHandle,
  options: { status?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = performance.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    if (!child.running) throw new Error(`${child.name} exited before ${url} answered`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (options.status === undefined || response.status === options.status) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer in time`);
    await sleep(options.intervalMs ?? 20);
  }
}

/** A port nobody listens on right now, for processes that cannot report theirs. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export { sleep };
