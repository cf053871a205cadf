/**
 * `npx tsx bench/profile-summary.ts FILE.cpuprofile [--top N]`: where a process spent its CPU,
 * as self time per function and per source area (node internals, undici, pino, Switchyard's
 * own modules…), from a V8 profile written with --cpu-prof (see BENCH_PROFILE_DIR).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (url === '') return '(native / gc / idle)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  const own = /\/dist\/(.+)\.js$/.exec(url);
  if (own?.[1] !== undefined) return `switchyard:${own[1]}`;
  return url;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' } },
});
const file = positionals[0];
if (file === undefined) throw new Error('usage: profile-summary.ts FILE.cpuprofile [--top N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
  .reduce((a, [, us]) => a + us, 0);
const busy = total - idle;
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined || frame.functionName === '(idle)') continue;
  const name = `${frame.functionName || '(anonymous)'}  ${area(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const a = frame.functionName === '(garbage collector)' ? '(gc)' : area(frame.url);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
}
const percent = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s sampled`);
console.log('\nself time by area:');
for (const [name, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${percent(us)}  ${name}`);
console.log(`\nself time by function (top ${values.top}):`);
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${percent(us)}  ${name}`);
}
