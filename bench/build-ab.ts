/**
 * `npx tsx bench/build-ab.ts --baseline DIR [--rate R --duration S --rounds N --dialects LIST]`:
 * two builds of the bare gateway (BARE: telemetry and database off) against the Node floor,
 * under the same open-loop load (c=16 at a fixed rate), as the gateway's CPU time per request
 * over the floor's. DIR holds the baseline build's `bin/` and `dist/` (e.g. a copy made before
 * a change, with a `node_modules` link and the repository's package.json); the other build is
 * this repository's. The three processes take turns in every round (the order rotates), so
 * a busy machine loads them alike. Printed: the median over the rounds and the best round
 * (contention only ever adds CPU time, so the least disturbed round is the steadiest figure).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, DIALECTS, type DialectId } from './dialects.js';
import { runLoad } from './load.js';
import { MockProcess } from './mock-process.js';
import { BARE, startSwitchyard } from './switchyard.js';
import { startFloor, type Target } from './targets.js';

const { values } = parseArgs({
  options: {
    baseline: { type: 'string' },
    rate: { type: 'string', default: '600' },
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '5' },
    dialects: { type: 'string', default: DIALECTS.join(',') },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const dialects = values.dialects.split(',') as DialectId[];

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dir = join(REPO_ROOT, 'bench', 'results', 'build-ab');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const mock = await MockProcess.start(dir);
  const targets: { name: string; target: Target }[] = [
    { name: 'floor', target: await startFloor(mock, dir) },
  ];
  if (values.baseline !== undefined) {
    const work = join(dir, 'baseline');
    const bin = join(values.baseline, 'bin', 'switchyard');
    targets.push({
      name: 'baseline',
      target: await startSwitchyard(BARE, mock, { work, logs: work }, bin),
    });
  }
  const work = join(dir, 'this');
  targets.push({
    name: 'this build',
    target: await startSwitchyard(BARE, mock, { work, logs: work }),
  });
  try {
    for (const dialect of dialects) {
      const cpu = new Map<string, number[]>(targets.map(({ name }) => [name, []]));
      // Warm-up: the JIT and the connection pools, unmeasured.
      for (const { target } of targets) await load(target, dialect, 2);
      for (let round = 0; round < rounds; round++) {
        const start = round % targets.length;
        const order = [...targets.slice(start), ...targets.slice(0, start)];
        for (const { name, target } of order) {
          const run = await load(target, dialect, durationS);
          const ok = run.latencies.length;
          if (run.cpuMs !== undefined && ok > 0) cpu.get(name)?.push((run.cpuMs * 1000) / ok);
        }
      }
      for (const [label, pick] of [
        ['median', median],
        ['best', (xs: readonly number[]) => Math.min(...xs)],
      ] as const) {
        const floor = pick(cpu.get('floor') ?? []);
        const line = targets
          .map(({ name }) => {
            const us = pick(cpu.get(name) ?? []);
            return name === 'floor'
              ? `floor ${us.toFixed(0)}`
              : `${name} ${us.toFixed(0)} (+${(us - floor).toFixed(0)})`;
          })
          .join(', ');
        console.log(
          `${dialect} at ${rate} req/s, c=16, µs CPU/req, ${label} of ${rounds}: ${line}`,
        );
      }
      console.log(
        `  all rounds: ${targets.map(({ name }) => `${name} [${(cpu.get(name) ?? []).map((v) => v.toFixed(0)).join(' ')}]`).join('; ')}`,
      );
    }
  } finally {
    for (const { target } of targets) await target.stop();
    await mock.stop();
  }
}

function load(target: Target, dialect: DialectId, seconds: number) {
  return runLoad({
    endpoint: target.endpoint(dialect),
    body: DIALECT_SPECS[dialect].body(),
    connections: 16,
    durationS: seconds,
    sampleIntMs: 100,
    process: target.process,
    rate,
  });
}

await main();
