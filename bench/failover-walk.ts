/**
 * `npx tsx bench/failover-walk.ts [--cpu-us-per-request N]`: the whole difference between a
 * request on a healthy pool and one whose key 0 is cooling down is the walk over the pool
 * (the cooling key is seen, skipped, and the next one taken; no extra upstream call). This
 * measures that walk in-process, healthy and cooling interleaved, so the failover path's
 * cost can be stated below the noise of the end-to-end runs, which move by ±10 % on this
 * machine whatever they compare.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../src/keypool/clock.js';
import { Pool } from '../src/keypool/pool.js';

const { values } = parseArgs({
  options: { 'cpu-us-per-request': { type: 'string', default: '200' } },
});
const cpuUsPerRequest = Number(values['cpu-us-per-request']);

const clock = systemClock;
const keys = ['sk-bench-key-a', 'sk-bench-key-b'];
const healthy = new Pool(keys, clock);
const cooling = new Pool(keys, clock);
cooling.keys[0]?.markTemporary(3_600_000, { source: 'operator' });

const ROUNDS = 30;
const WALKS = 200_000;
let sink = 0;

/** Nanoseconds per walk (a fresh walker and its first usable key), best of `ROUNDS`. */
function measure(pool: Pool, best: number): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < WALKS; i++) sink += pool.walker().next().index;
  return Math.min(best, Number(process.hrtime.bigint() - started) / WALKS);
}

let healthyNs = Infinity;
let coolingNs = Infinity;
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    healthyNs = measure(healthy, healthyNs);
    coolingNs = measure(cooling, coolingNs);
  } else {
    coolingNs = measure(cooling, coolingNs);
    healthyNs = measure(healthy, healthyNs);
  }
}
if (cooling.keys[0]?.state() !== 'temporary') throw new Error('key 0 did not stay cooling');

const extraNs = coolingNs - healthyNs;
console.log(`pool walk, healthy pool:      ${healthyNs.toFixed(1)} ns`);
console.log(`pool walk, key 0 cooling:     ${coolingNs.toFixed(1)} ns (key 1 taken)`);
console.log(`extra work per request:       ${extraNs.toFixed(1)} ns`);
console.log(
  `share of ${cpuUsPerRequest} µs CPU/request: ${((extraNs / (cpuUsPerRequest * 1000)) * 100).toFixed(4)} %`,
);
// Keeps the walks from being optimised away.
if (sink < 0) console.log(sink);
