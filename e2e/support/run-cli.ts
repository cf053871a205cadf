import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real client programs, as installed by `npm --prefix e2e ci`. */
export const CLAUDE_BIN = fileURLToPath(new URL('../node_modules/.bin/claude', import.meta.url));
export const CODEX_BIN = fileURLToPath(new URL('../node_modules/.bin/codex', import.meta.url));

export interface CliRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface CliOptions {
  readonly args: readonly string[];
  readonly cwd: string;
  /** The whole environment apart from PATH: nothing leaks in from the developer's shell. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/**
 * Runs a client program to completion with stdin closed, as CI would: an agent that waits
 * for input or hangs is killed (with everything it started) and reported, not waited on.
 */
export function runCli(command: string, options: CliOptions): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(command, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a timeout also stops the native binary behind the npm shim.
    detached: true,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** What to print when a run did not go as expected: the CLI's own words. */
export function describeRun(run: CliRun): string {
  return `exit ${String(run.exitCode ?? run.signal)} after ${run.durationMs} ms\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
