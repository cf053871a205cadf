import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dialectProfiles, type DialectProfile } from './support/dialect-profiles.js';
import { callRaw, callSdk } from './support/profile.js';
import { ADMIN_TOKEN, startHarness, TOKEN } from './support/harness.js';
import type { MockReply } from './support/mock-upstream.js';
import {
  checkMetricsText,
  parseSamples,
  promtoolMissing,
  scrape,
  sumOf,
  type Sample,
} from './support/prometheus-text.js';

type KeyRef = number | 'byok';
type KeyState = 'valid' | 'temporary' | 'permanent';

/** What the upstream answers one key; keys not listed answer successfully. */
interface Answer {
  readonly status: 401 | 403 | 429 | 500;
  readonly retryAfter?: string;
}

interface Step {
  readonly status: number;
  readonly keysSeen: readonly KeyRef[];
  readonly outcome: 'completed' | 'upstream_error' | 'failed';
  readonly exhausted?: 'rate-limited' | 'permanent';
}

interface Scenario {
  readonly name: string;
  readonly keyCount: number;
  readonly byok?: boolean;
  readonly answers: Partial<Record<KeyRef, Answer>>;
  readonly steps: readonly Step[];
  readonly states: readonly KeyState[];
}

/** The failover matrix's scenarios (test/failover-matrix.test.ts), with what each should count. */
const scenarios: readonly Scenario[] = [
  {
    name: 'single valid key',
    keyCount: 1,
    answers: {},
    steps: [{ status: 200, keysSeen: [0], outcome: 'completed' }],
    states: ['valid'],
  },
  {
    name: 'failover after 429',
    keyCount: 3,
    answers: { 0: { status: 429, retryAfter: '30' } },
    steps: [{ status: 200, keysSeen: [0, 1], outcome: 'completed' }],
    states: ['temporary', 'valid', 'valid'],
  },
  {
    name: 'failover after 401',
    keyCount: 3,
    answers: { 0: { status: 401 } },
    steps: [{ status: 200, keysSeen: [0, 1], outcome: 'completed' }],
    states: ['permanent', 'valid', 'valid'],
  },
  {
    name: 'failover after 403',
    keyCount: 3,
    answers: { 0: { status: 403 } },
    steps: [{ status: 200, keysSeen: [0, 1], outcome: 'completed' }],
    states: ['permanent', 'valid', 'valid'],
  },
  {
    name: 'all keys rate-limited',
    keyCount: 3,
    answers: {
      0: { status: 429, retryAfter: '5' },
      1: { status: 429, retryAfter: '3' },
      2: { status: 429, retryAfter: '10' },
    },
    steps: [{ status: 429, keysSeen: [0, 1, 2], outcome: 'failed', exhausted: 'rate-limited' }],
    states: ['temporary', 'temporary', 'temporary'],
  },
  {
    name: 'all keys unauthorized',
    keyCount: 3,
    answers: { 0: { status: 401 }, 1: { status: 401 }, 2: { status: 401 } },
    steps: [{ status: 502, keysSeen: [0, 1, 2], outcome: 'failed', exhausted: 'permanent' }],
    states: ['permanent', 'permanent', 'permanent'],
  },
  {
    name: 'upstream 500 is not failed over',
    keyCount: 3,
    answers: { 0: { status: 500 } },
    steps: [{ status: 500, keysSeen: [0], outcome: 'upstream_error' }],
    states: ['valid', 'valid', 'valid'],
  },
  {
    name: 'BYOK 429 is not failed over',
    keyCount: 3,
    byok: true,
    answers: { byok: { status: 429, retryAfter: '5' } },
    steps: [{ status: 429, keysSeen: ['byok'], outcome: 'upstream_error' }],
    states: ['valid', 'valid', 'valid'],
  },
  {
    name: 'pool state persists across requests',
    keyCount: 3,
    answers: { 0: { status: 429, retryAfter: '60' } },
    steps: [
      { status: 200, keysSeen: [0, 1], outcome: 'completed' },
      { status: 200, keysSeen: [1], outcome: 'completed' },
    ],
    states: ['temporary', 'valid', 'valid'],
  },
];

const USER = 'metrics-user-qz7k';

function reply(profile: DialectProfile, answer: Answer): MockReply {
  return profile.upstreamError(
    answer.status,
    'scripted failure',
    answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter },
  );
}

const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/** What the scenario's steps should have counted, derived from the table alone. */
function expectedCounts(scenario: Scenario): {
  attempts: Map<string, number>;
  failedOver: number;
  attemptCount: number;
} {
  const attempts = new Map<string, number>();
  let failedOver = 0;
  let attemptCount = 0;
  for (const step of scenario.steps) {
    step.keysSeen.forEach((key, i) => {
      // The walk moves on from every key but the last it tried; a caller's own key, never.
      const moved = key !== 'byok' && i < step.keysSeen.length - 1;
      const id = `${statusClass(scenario.answers[key]?.status ?? 200)}/${String(moved)}`;
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      if (moved) failedOver++;
      attemptCount++;
    });
  }
  return { attempts, failedOver, attemptCount };
}

function attemptCounts(samples: readonly Sample[], provider: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== 'switchyard_upstream_attempts_total' || s.labels['provider'] !== provider)
      continue;
    if (s.value === 0) continue;
    counts.set(`${s.labels['status_class']}/${s.labels['failed_over']}`, s.value);
  }
  return counts;
}

describe.each(dialectProfiles)('metrics after the failover matrix: $name', (profile) => {
  describe.each([false, true])('streaming=%s', (streaming) => {
    it.each(scenarios)('$name: exact counts, no secret, valid text', async (scenario) => {
      const provider = profile.provider.name;
      const keys = Array.from(
        { length: scenario.keyCount },
        (_, i) => `sk-metrics-${i}-${randomBytes(12).toString('hex')}`,
      );
      const byokKey = `sk-byok-${randomBytes(12).toString('hex')}`;
      const harness = await startHarness({
        providers: [{ ...profile.provider, keys }],
        tokens: [{ user: USER, token: TOKEN }],
      });
      try {
        harness.upstream.script = (seen) => {
          const ref: KeyRef = seen.key === byokKey ? 'byok' : keys.indexOf(seen.key ?? '');
          const answer = scenario.answers[ref];
          return answer === undefined ? profile.success(streaming) : reply(profile, answer);
        };
        for (const [i, step] of scenario.steps.entries()) {
          const options = {
            gatewayUrl: harness.url,
            token: TOKEN,
            streaming,
            ...(scenario.byok === true ? { byokKey } : {}),
          };
          // Both clients, in turn: the official SDK (retries off) and a raw one.
          const outcome =
            i % 2 === 0 ? await callSdk(profile, options) : await callRaw(profile, options);
          expect(outcome.status).toBe(step.status);
        }

        const { status, contentType, text } = await scrape(harness.url);
        expect(status).toBe(200);
        expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
        const samples = parseSamples(text);
        const expected = expectedCounts(scenario);

        expect(attemptCounts(samples, provider)).toEqual(expected.attempts);
        expect(sumOf(samples, 'switchyard_upstream_latency_seconds_count', { provider })).toBe(
          expected.attemptCount,
        );
        expect(sumOf(samples, 'switchyard_failovers_per_request_sum', { provider })).toBe(
          expected.failedOver,
        );
        expect(sumOf(samples, 'switchyard_failovers_per_request_count', { provider })).toBe(
          scenario.steps.length,
        );

        scenario.states.forEach((state, index) => {
          const key_index = String(index);
          for (const to of ['temporary', 'permanent', 'valid'] as const) {
            expect(
              sumOf(samples, 'switchyard_key_transitions_total', { provider, key_index, to }),
              `key ${index} → ${to}`,
            ).toBe(state === to && to !== 'valid' ? 1 : 0);
            expect(sumOf(samples, 'switchyard_key_state', { provider, key_index, state: to })).toBe(
              state === to ? 1 : 0,
            );
          }
          const cooldown = sumOf(samples, 'switchyard_key_cooldown_remaining_seconds', {
            provider,
            key_index,
          });
          if (state === 'temporary') expect(cooldown).toBeGreaterThan(0);
          else expect(cooldown).toBe(0);
        });

        for (const kind of ['rate-limited', 'permanent'] as const) {
          expect(sumOf(samples, 'switchyard_pool_exhaustions_total', { provider, kind })).toBe(
            scenario.steps.filter((step) => step.exhausted === kind).length,
          );
        }
        for (const outcome of ['completed', 'upstream_error', 'failed'] as const) {
          expect(sumOf(samples, 'switchyard_interceptions_total', { provider, outcome })).toBe(
            scenario.steps.filter((step) => step.outcome === outcome).length,
          );
        }
        const interceptions = samples.filter((s) => s.name === 'switchyard_interceptions_total');
        expect(new Set(interceptions.map((s) => s.labels['api']))).toEqual(
          new Set([harness.interceptions[0]?.dialect]),
        );
        // A model gets a label of its own once a request with it completed; before, `other`
        // (no scenario has a failure after a success).
        const model = harness.interceptions[0]?.model;
        for (const s of interceptions) {
          expect(s.labels['model']).toBe(s.labels['outcome'] === 'completed' ? model : 'other');
        }
        expect(sumOf(samples, 'switchyard_interceptions_in_flight', { provider })).toBe(0);
        expect(sumOf(samples, 'switchyard_key_info', { provider })).toBe(keys.length);

        for (const secret of [...keys, byokKey, TOKEN, ADMIN_TOKEN]) {
          expect(text).not.toContain(secret);
        }
        expect(text).not.toContain(USER);

        if (!promtoolMissing) {
          const check = checkMetricsText(text);
          expect(check.findings).toEqual([]);
          expect(check.parsed).toBe(true);
        }
      } finally {
        await harness.close();
      }
    });
  });
});
