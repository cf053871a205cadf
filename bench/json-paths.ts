/**
 * `npm run bench:json-paths [-- --iterations N --rounds N]`: the gateway's hand-written JSON
 * paths against the built-ins they replace, in this process, on the bodies the gateway sees:
 *
 * - request validation: `parseBridgeRequest` (`scanJson`, then only `model` and `stream`
 *   parsed) against `JSON.parse` of the whole body (and against `JSON.parse` followed by
 *   `JSON.stringify` to rebuild what goes upstream);
 * - the upstream body: forwarding the bytes or splicing one member (`stream_options` for a
 *   chat stream) against serialising the parsed, edited object;
 * - usage from a whole answer: `scanJson` then the `usage` member against `JSON.parse`.
 *
 * Each case runs `iterations` times per round, the cases alternating in order between rounds;
 * the figure is the best round (the least disturbed by other processes on a shared machine),
 * in µs per body.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseBridgeRequest } from '../src/dialects/bridge-request.js';
import { openaiChat } from '../src/dialects/openai-chat/dialect.js';
import { scanJson } from '../src/dialects/json-object.js';
import { anthropicMessage } from '../test/support/anthropic-fixtures.js';
import { chatCompletion, responseObject } from '../test/support/openai-fixtures.js';
import { claudeCodeBody } from './claude-code-body.js';
import { DIALECT_SPECS } from './dialects.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '5' },
  },
});
const iterations = Number(values.iterations);
const rounds = Number(values.rounds);

/** An SDK's usual request: one short message. */
const SMALL = Buffer.from(
  JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hello, how are you?' }],
  }),
);

const ANSWER =
  'The server already knows its port after listen(), so the getter can read it. '.repeat(7);

const requests: Record<string, Buffer> = {
  'small SDK body': SMALL,
  'agent turn, messages': Buffer.from(DIALECT_SPECS.messages.body()),
  'agent turn, chat': Buffer.from(DIALECT_SPECS.chat.body()),
  'agent turn, responses': Buffer.from(DIALECT_SPECS.responses.body()),
  'Claude Code body': claudeCodeBody(),
};

const answers: Record<string, Buffer> = {
  'messages answer': Buffer.from(JSON.stringify(anthropicMessage(ANSWER))),
  'chat answer': Buffer.from(JSON.stringify(chatCompletion(ANSWER))),
  'responses answer': Buffer.from(JSON.stringify(responseObject(ANSWER))),
};

let sink = 0;

type Case = readonly [label: string, run: () => void];
interface Comparison {
  readonly title: string;
  readonly cases: readonly Case[];
}

function requestComparison(name: string, body: Buffer): Comparison {
  return {
    title: `${name} (${(body.length / 1024).toFixed(1)} KB): validate, read model and stream, build what goes upstream`,
    cases: [
      [
        'scanJson, bytes forwarded (the gateway)',
        () => {
          const request = parseBridgeRequest(body);
          sink += request.model.length + openaiChat.upstreamBody(request).length;
        },
      ],
      [
        'JSON.parse, bytes forwarded',
        () => {
          const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          sink += String(parsed['model']).length + (parsed['stream'] === true ? 1 : 0);
          sink += body.length;
        },
      ],
      [
        'JSON.parse + JSON.stringify',
        () => {
          const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          sink += String(parsed['model']).length + (parsed['stream'] === true ? 1 : 0);
          sink += Buffer.from(JSON.stringify(parsed)).length;
        },
      ],
    ],
  };
}

/** A chat stream whose client did not ask for usage: the gateway adds `include_usage`. */
function editComparison(): Comparison {
  const body = Buffer.from(DIALECT_SPECS.chat.body({ events: 10, intervalMs: 0 }));
  const withoutUsage = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  delete withoutUsage['stream_options'];
  const raw = Buffer.from(JSON.stringify(withoutUsage));
  return {
    title: `chat stream (${(raw.length / 1024).toFixed(1)} KB) gaining stream_options.include_usage`,
    cases: [
      [
        'scanJson + splice (the gateway)',
        () => {
          sink += openaiChat.upstreamBody(parseBridgeRequest(raw)).length;
        },
      ],
      [
        'JSON.parse + edit + JSON.stringify',
        () => {
          const parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          parsed['stream_options'] = { include_usage: true };
          sink += Buffer.from(JSON.stringify(parsed)).length;
        },
      ],
    ],
  };
}

function usageComparison(name: string, body: Buffer): Comparison {
  return {
    title: `${name} (${(body.length / 1024).toFixed(1)} KB): its usage object`,
    cases: [
      [
        'scanJson + usage member (the gateway)',
        () => {
          const scan = scanJson(body);
          if (scan.kind === 'object') sink += scan.object.value('usage') === undefined ? 0 : 1;
        },
      ],
      [
        'JSON.parse',
        () => {
          const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          sink += parsed['usage'] === undefined ? 0 : 1;
        },
      ],
    ],
  };
}

const comparisons: Comparison[] = [
  ...Object.entries(requests).map(([name, body]) => requestComparison(name, body)),
  editComparison(),
  ...Object.entries(answers).map(([name, body]) => usageComparison(name, body)),
];

function time(run: () => void, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) run();
  return ((performance.now() - start) * 1000) / n;
}

const best = (xs: number[]): number => Math.min(...xs);

console.log(`JSON paths, ${rounds} rounds × ${iterations} iterations (best round, µs per body)`);
for (const { title, cases } of comparisons) {
  for (const [, run] of cases) time(run, Math.min(1000, iterations));
  const samples = cases.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = cases.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) samples[i]?.push(time(cases[i]?.[1] ?? (() => undefined), iterations));
  }
  const first = best(samples[0] ?? []);
  console.log(`\n${title}`);
  cases.forEach(([label], i) => {
    const us = best(samples[i] ?? []);
    console.log(
      `  ${label.padEnd(40)} ${us.toFixed(2).padStart(8)} µs  ×${(us / first).toFixed(2)}`,
    );
  });
}
if (sink === -1) console.log(sink);
