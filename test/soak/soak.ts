/**
 * `npm run soak [-- --duration 10m --concurrency 32]`: mixed traffic with upstream faults
 * against a real gateway process, reporting throughput, outcomes by kind, and the
 * gateway's RSS and open file descriptors at the start and the end.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { parseDurationMs } from '../../src/config/units.js';
import { dialectProfiles, type DialectProfile } from '../support/dialect-profiles.js';
import {
  FAULT_HEADER,
  FAULTS,
  faultReply,
  seededRandom,
  type FaultName,
} from '../support/fault-replies.js';
import { MockUpstream } from '../support/mock-upstream.js';
import { parseSseText } from '../support/sse-text.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    concurrency: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
  },
});
const durationMs = parseDurationMs(values.duration) ?? 600_000;
const concurrency = Number(values.concurrency);
const TOKEN = `soak-token-${randomBytes(8).toString('hex')}`;
const KEYS = [0, 1].map((i) => `sk-soak-${i}-${randomBytes(12).toString('hex')}`);

interface ProcessFigures {
  rssMb: number;
  fds: number;
}

function processFigures(pid: number): ProcessFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rssKb / 102.4) / 10, fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

async function startGateway(
  upstream: MockUpstream,
): Promise<{ pid: number; url: string; exited: Promise<number | null> }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
  const config = join(dir, 'switchyard.yaml');
  writeFileSync(
    config,
    [
      'listen: 127.0.0.1:0',
      'log_level: warn',
      'timeouts: { connect: 2s, first_byte: 5s, idle: 1s }',
      'providers:',
      `  - { name: anthropic, type: anthropic, base_url: "${upstream.url}", keys: ["\${KEY_A}", "\${KEY_B}"] }`,
      `  - { name: openai, type: openai, base_url: "${upstream.url}v1/", keys: ["\${KEY_A}", "\${KEY_B}"] }`,
      'auth:',
      '  tokens: [{ user: soak, token: "${TOKEN}" }]',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    ['bin/switchyard', 'serve', '--config', config, '--listen', `127.0.0.1:${port}`],
    {
      env: { ...process.env, KEY_A: KEYS[0], KEY_B: KEYS[1], TOKEN },
      // Its log is warnings only (log_level: warn); they are expected under faults.
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  for (;;) {
    const ready = await request(`${url}/readyz`).then(
      async (r) => {
        await r.body.dump();
        return r.statusCode === 200;
      },
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: child.pid ?? 0, url, exited };
}

function blockingReply(
  profile: DialectProfile,
  fault: FaultName,
  firstKey: boolean,
): ReturnType<typeof faultReply> {
  if (fault === 'rate-limit' && firstKey)
    return profile.upstreamError(429, 'slow down', { 'retry-after-ms': '20' });
  if (fault === 'reset') {
    return (_seen, res) => {
      res.socket?.destroy();
    };
  }
  return profile.success(false);
}

async function main(): Promise<void> {
  const upstream = await MockUpstream.start();
  upstream.script = (seen) => {
    const fault = seen.headers[FAULT_HEADER] as FaultName;
    const profile =
      dialectProfiles.find((p) => seen.url.endsWith(p.route.replace(/^\/[^/]+/, ''))) ??
      dialectProfiles[0];
    if (profile === undefined) throw new Error('no profile');
    const streaming = seen.headers['x-test-streaming'] === 'yes';
    const firstKey = seen.key === KEYS[0];
    return streaming
      ? faultReply(profile, fault, seen, firstKey)
      : blockingReply(profile, fault, firstKey);
  };
  const gateway = await startGateway(upstream);
  // Set from a callback, which narrowing cannot see.
  let crashed = false as boolean;
  let stopping = false as boolean;
  void gateway.exited.then(() => {
    if (!stopping) crashed = true;
  });
  const client = new Agent({ connections: concurrency });
  const outcomes = new Map<string, number>();
  const count = (kind: string): void => {
    outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  };
  const next = seededRandom(Number(values.seed));
  const started = Date.now();
  const deadline = started + durationMs;
  const warmupEnd = started + Math.max(10_000, durationMs / 10);
  const atStart = processFigures(gateway.pid);
  let afterWarmup: ProcessFigures | undefined;
  let requests = 0;
  const samples: number[] = [];

  console.log(
    `soak: ${values.duration} at concurrency ${concurrency}, faults ${[...new Set(FAULTS)].join(', ')}`,
  );
  const progress = setInterval(() => {
    if (crashed) return;
    const figures = processFigures(gateway.pid);
    samples.push(figures.rssMb);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `t=${Math.round(seconds)}s requests=${requests} (${Math.round(requests / seconds)}/s) rss=${figures.rssMb}MB fds=${figures.fds}`,
    );
  }, 30_000);

  async function worker(): Promise<void> {
    while (Date.now() < deadline && !crashed) {
      if (afterWarmup === undefined && Date.now() >= warmupEnd)
        afterWarmup = processFigures(gateway.pid);
      const profile = dialectProfiles[
        Math.floor(next() * dialectProfiles.length)
      ] as DialectProfile;
      const fault = FAULTS[Math.floor(next() * FAULTS.length)] as FaultName;
      const streaming = next() < 0.7;
      requests++;
      const controller = new AbortController();
      try {
        const response = await request(`${gateway.url}${profile.route}`, {
          dispatcher: client,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [FAULT_HEADER]: fault,
            'x-test-streaming': streaming ? 'yes' : 'no',
            ...profile.rawHeaders({ gatewayUrl: gateway.url, token: TOKEN, streaming }),
          },
          body: JSON.stringify(profile.requestBody(streaming)),
          signal: controller.signal,
        });
        if (fault === 'client-abort' && streaming) {
          controller.abort();
          await response.body.text().catch(() => undefined);
          count('client abort');
          continue;
        }
        const text = await response.body.text();
        if (response.statusCode !== 200) count(`status ${response.statusCode}`);
        else if (!streaming) count('complete');
        else count(profile.isStreamError(parseSseText(text).at(-1)) ? 'error event' : 'complete');
      } catch (error) {
        count(`client error ${(error as Error).name}`);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  clearInterval(progress);
  await client.close();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const atEnd = crashed ? { rssMb: NaN, fds: NaN } : processFigures(gateway.pid);
  const elapsed = (Date.now() - started) / 1000;
  const baseline = afterWarmup ?? atStart;
  const drift = ((atEnd.rssMb - baseline.rssMb) / baseline.rssMb) * 100;

  console.log('\noutcomes by kind:');
  console.table(Object.fromEntries([...outcomes].sort()));
  console.table({
    'gateway at start': atStart,
    'after warm-up': baseline,
    'at the end (2 s after the load)': atEnd,
  });
  const laterHalf = samples.slice(Math.floor(samples.length / 2));
  console.log(`RSS every 30 s (MB): ${samples.join(', ')}`);
  console.log(
    `requests: ${requests} in ${Math.round(elapsed)} s = ${Math.round(requests / elapsed)}/s; ` +
      `RSS drift after warm-up: ${drift.toFixed(1)}%; RSS range over the second half: ` +
      `${Math.min(...laterHalf)}–${Math.max(...laterHalf)} MB; crashes: ${crashed ? 1 : 0}`,
  );
  stopping = true;
  process.kill(gateway.pid, 'SIGTERM');
  const code = await gateway.exited;
  await upstream.close();
  const healthy = !crashed && code === 0 && drift < 10 && atEnd.fds <= baseline.fds + 5;
  console.log(healthy ? 'soak: PASS' : `soak: FAIL (exit code ${String(code)})`);
  process.exitCode = healthy ? 0 : 1;
}

await main();
