/**
 * `npm run bench:record-fill [-- --iterations N]`: what filling in a record costs each
 * interception, in this process: client detection, the last user prompt
 * (`recording.prompts`, on by default) read from a Claude Code-sized request (~76 KB, the
 * largest body CLIENTS.md saw), and the estimated cost (a priced model from the table, an
 * override, an unknown model). All of it runs after the response has ended, but on the
 * same event loop as the requests, so it is CPU the gateway's requests do not get.
 *
 * The baseline, measured in the same run, alternating: validating the same request body
 * (`parseBridgeRequest`), which every bridged request already pays before it goes upstream.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.js';
import { anthropicMessages } from '../src/dialects/anthropic-messages/dialect.js';
import { parseBridgeRequest } from '../src/dialects/bridge-request.js';
import { detectClient } from '../src/recorder/client-detection.js';
import { Pricer } from '../src/recorder/pricing.js';
import { claudeCodeBody } from './claude-code-body.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '4' },
  },
});
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);

const headers = {
  'anthropic-version': '2023-06-01',
  'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
  'x-app': 'cli',
  'x-claude-code-session-id': '5b0c6a3e-1d2f-4c8e-9a7b-0e1f2a3b4c5d',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '0.70.0',
};

const body = claudeCodeBody();
const validated = parseBridgeRequest(body).body;
/** An SDK's usual request: one short message. */
const small = Buffer.from(
  JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hello, how are you?' }],
  }),
);
const smallValidated = parseBridgeRequest(small).body;
const usage = { input: 1200, output: 340, cacheRead: 52_000, cacheCreation: 800, reasoning: 0 };
const pricer = new Pricer(
  parseConfig({ prices: { 'house-model': { input: 1, output: 2 } } }, {}, 'bench').prices,
);
const query = (model: string) => ({
  provider: 'anthropic',
  providerType: 'anthropic' as const,
  family: 'anthropic' as const,
  model,
  usage,
  at: Date.now(),
});

let sink = 0;
const cases: Record<string, () => void> = {
  'baseline: parseBridgeRequest': () => {
    sink += parseBridgeRequest(body).model.length;
  },
  'baseline: parseBridgeRequest, small': () => {
    sink += parseBridgeRequest(small).model.length;
  },
  'prompt (small body)': () => {
    sink += anthropicMessages.promptOf(smallValidated)?.length ?? 0;
  },
  'client detection': () => {
    sink += detectClient(headers, 'anthropic').name.length;
  },
  // On the body the request already validated: the gateway keeps it.
  'prompt (76 KB body)': () => {
    sink += anthropicMessages.promptOf(validated)?.length ?? 0;
  },
  'cost: table model': () => {
    sink += pricer.costUsd(query('claude-sonnet-4-5')) ?? 0;
  },
  'cost: override': () => {
    sink += pricer.costUsd(query('house-model')) ?? 0;
  },
  'cost: unknown model': () => {
    sink += pricer.costUsd(query('claude-test')) ?? 0;
  },
};

function time(run: () => void, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) run();
  return ((performance.now() - start) * 1000) / n;
}

// Warm up every path (the JIT, the pricer's cache of where each model's price comes from).
for (const run of Object.values(cases)) time(run, Math.min(2000, iterations));

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? Object.keys(cases) : Object.keys(cases).reverse();
  for (const name of order) {
    const run = cases[name];
    if (run !== undefined) samples[name]?.push(time(run, iterations));
  }
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const baseline = median(samples['baseline: parseBridgeRequest'] ?? []);
const smallBaseline = median(samples['baseline: parseBridgeRequest, small'] ?? []);
console.log(
  `record fill, ${rounds} rounds × ${iterations} iterations (median µs per interception)`,
);
for (const [name, xs] of Object.entries(samples)) {
  const us = median(xs);
  const isSmall = name.includes('small');
  const ratio = us / (isSmall ? smallBaseline : baseline);
  console.log(
    `${name.padEnd(38)} ${us.toFixed(2).padStart(8)} µs  ×${ratio.toFixed(2)} of validating the ${isSmall ? 'small' : '76 KB'} body`,
  );
}
const extra =
  median(samples['client detection'] ?? []) +
  median(samples['prompt (76 KB body)'] ?? []) +
  median(samples['cost: table model'] ?? []);
console.log(
  `record fill per interception (detection + prompt + table cost): ${extra.toFixed(1)} µs`,
);
if (sink === -1) console.log(sink);
