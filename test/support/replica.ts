import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { request } from 'undici';

const BIN = fileURLToPath(new URL('../../bin/switchyard', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'switchyard-replica-'));

/** A `switchyard serve` process of its own, as a replica behind a load balancer is. */
export interface Replica {
  readonly name: string;
  /** Its configuration file: rewrite it to reload. */
  readonly file: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  /** Parsed JSON log lines so far. */
  readonly lines: () => Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** Starts `bin/switchyard serve` with this YAML and waits for its listening line. */
export async function startReplica(
  name: string,
  yaml: string,
  args: readonly string[] = [],
): Promise<Replica> {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, [BIN, 'serve', '--config', file, ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited: ${stderr}`);
      if (!/"url":"http:/.test(stdout)) throw new Error(`replica ${name} is not listening yet`);
    },
    { timeout: 15_000, interval: 20 },
  );
  return {
    name,
    file,
    child,
    url: /"url":"(http:[^"]+)"/.exec(stdout)?.[1] ?? '',
    exited,
    stdout: () => stdout,
    lines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await request(url, { headers });
  return { status: response.statusCode, body: await response.body.json() };
}
