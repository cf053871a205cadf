/**
 * `npm run bench:workers [-- --duration S --rounds N --connections C]`: throughput of
 * `serve --workers 2` against one process, on this machine, with the load generator
 * (autocannon, in this process) and the mock upstream (a process of its own) on the same
 * cores, as the gateway would share them in production with nothing else. Blocking
 * Anthropic Messages requests through the bridge, recording off, warnings-only logs.
 *
 * Both gateways run side by side; rounds alternate which is measured first, and each
 * round measures both, so drift of a shared, noisy machine falls on both alike. The figure
 * is the ratio of their requests per second over all rounds. Aim (issue 13): ≥ 1.3× on 2 cores.
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DIALECT_SPECS } from './dialects.js';
import { runLoad, summarize, type LoadRun } from './load.js';
import { MockProcess } from './mock-process.js';
import { sleep } from './processes.js';
import { STANDARD, startSwitchyard, type SwitchyardTarget } from './switchyard.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
  },
});
const DURATION_S = Number(values.duration);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const WARMUP_S = Number(values.warmup);
const AIM = 1.3;

const root = mkdtempSync(join(tmpdir(), 'switchyard-bench-workers-'));
const dirs = { work: join(root, 'work'), logs: join(root, 'logs') };
const mock = await MockProcess.start(dirs.logs);
const targets: SwitchyardTarget[] = [];
try {
  for (const workers of [1, 2]) {
    targets.push(
      await startSwitchyard(
        {
          ...STANDARD,
          id: `switchyard-workers-${workers}`,
          label: `--workers ${workers}`,
          extra: { workers },
        },
        mock,
        dirs,
      ),
    );
  }
  // /readyz answers once one worker listens; give the second its start too.
  await sleep(1000);
  const body = DIALECT_SPECS.messages.body();
  const load = (target: SwitchyardTarget, durationS: number): Promise<LoadRun> =>
    runLoad({
      endpoint: target.endpoint('messages'),
      body,
      connections: CONNECTIONS,
      durationS,
      sampleIntMs: 250,
      process: undefined,
    });
  console.log(
    `--workers 2 against 1: blocking messages, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s each, ${availableParallelism()} cores shared with the load generator and the mock upstream`,
  );
  for (const target of targets) await load(target, WARMUP_S);
  const runs = new Map<string, LoadRun[]>(targets.map((t) => [t.id, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) runs.get(target.id)?.push(await load(target, DURATION_S));
  }
  const results = targets.map((t) => ({ target: t, result: summarize(runs.get(t.id) ?? []) }));
  for (const { target, result } of results) {
    const perRound = (runs.get(target.id) ?? []).map((r) =>
      (r.latencies.length / r.elapsedS).toFixed(0),
    );
    console.log(
      `  ${target.profile.label}: ${result.rps.toFixed(0)} req/s (rounds: ${perRound.join(', ')}), p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
    );
  }
  const [one, two] = results.map((r) => r.result.rps);
  const ratio = (two ?? 0) / (one ?? 1);
  console.log(
    `  ratio --workers 2 / 1: ${ratio.toFixed(2)}× (aim ≥ ${AIM}×: ${ratio >= AIM ? 'met' : 'not met'}); the machine is shared: figures are noisy`,
  );
  const failed = results.some((r) => r.result.errors > 0 || r.result.non2xx > 0);
  process.exitCode = failed ? 1 : 0;
} finally {
  await Promise.allSettled(targets.map((t) => t.stop()));
  await mock.stop();
}
