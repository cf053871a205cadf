import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { maskedHint } from '../src/log/masked-hint.js';
import type { ClientOutcome } from './support/client-outcome.js';
import { dialectProfiles, SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { callRaw, callSdk } from './support/profile.js';
import { ADMIN_TOKEN, startHarness, TOKEN } from './support/harness.js';
import type { MockReply } from './support/mock-upstream.js';

type KeyRef = number | 'byok';
type KeyState = 'valid' | 'temporary' | 'permanent';

interface Step {
  readonly status: number;
  /** Expected Retry-After header; undefined means the header must be absent. */
  readonly retryAfter?: string;
  readonly message?: string;
  readonly keysSeen: readonly KeyRef[];
}

interface Scenario {
  readonly name: string;
  readonly keyCount: number;
  readonly byok?: boolean;
  /** Upstream behaviour per key; keys not listed answer successfully. */
  readonly replies: (profile: DialectProfile) => Partial<Record<KeyRef, MockReply>>;
  readonly steps: readonly Step[];
  readonly states: readonly KeyState[];
  readonly hint: KeyRef;
}

const rateLimited = (seconds: string) => (p: DialectProfile) =>
  p.upstreamError(429, 'rate limited upstream', { 'retry-after': seconds });

/** The failover contract, once, for every API × blocking/streaming × client. */
const scenarios: readonly Scenario[] = [
  {
    name: 'single valid key',
    keyCount: 1,
    replies: () => ({}),
    steps: [{ status: 200, keysSeen: [0] }],
    states: ['valid'],
    hint: 0,
  },
  {
    name: 'failover after 429',
    keyCount: 3,
    replies: (p) => ({ 0: rateLimited('30')(p) }),
    steps: [{ status: 200, keysSeen: [0, 1] }],
    states: ['temporary', 'valid', 'valid'],
    hint: 1,
  },
  {
    name: 'failover after 401',
    keyCount: 3,
    replies: (p) => ({ 0: p.upstreamError(401, 'invalid x-api-key') }),
    steps: [{ status: 200, keysSeen: [0, 1] }],
    states: ['permanent', 'valid', 'valid'],
    hint: 1,
  },
  {
    name: 'failover after 403',
    keyCount: 3,
    replies: (p) => ({ 0: p.upstreamError(403, 'key not allowed') }),
    steps: [{ status: 200, keysSeen: [0, 1] }],
    states: ['permanent', 'valid', 'valid'],
    hint: 1,
  },
  {
    name: 'all keys rate-limited (Retry-After 5, 3, 10)',
    keyCount: 3,
    replies: (p) => ({ 0: rateLimited('5')(p), 1: rateLimited('3')(p), 2: rateLimited('10')(p) }),
    steps: [
      {
        status: 429,
        retryAfter: '3',
        message: 'all configured keys are rate-limited',
        keysSeen: [0, 1, 2],
      },
    ],
    states: ['temporary', 'temporary', 'temporary'],
    hint: 2,
  },
  {
    name: 'all keys unauthorized',
    keyCount: 3,
    replies: (p) => ({
      0: p.upstreamError(401, 'no'),
      1: p.upstreamError(401, 'no'),
      2: p.upstreamError(401, 'no'),
    }),
    steps: [
      { status: 502, message: 'all configured keys failed authentication', keysSeen: [0, 1, 2] },
    ],
    states: ['permanent', 'permanent', 'permanent'],
    hint: 2,
  },
  {
    name: 'upstream 500 is not failed over',
    keyCount: 3,
    replies: (p) => ({ 0: p.upstreamError(500, 'upstream exploded') }),
    steps: [{ status: 500, message: 'upstream exploded', keysSeen: [0] }],
    states: ['valid', 'valid', 'valid'],
    hint: 0,
  },
  {
    name: 'BYOK 429 is not failed over and its Retry-After is relayed',
    keyCount: 3,
    byok: true,
    replies: (p) => ({ byok: rateLimited('5')(p) }),
    steps: [{ status: 429, retryAfter: '5', message: 'rate limited upstream', keysSeen: ['byok'] }],
    states: ['valid', 'valid', 'valid'],
    hint: 'byok',
  },
  {
    name: 'pool state persists across requests',
    keyCount: 3,
    replies: (p) => ({ 0: rateLimited('60')(p) }),
    steps: [
      { status: 200, keysSeen: [0, 1] },
      { status: 200, keysSeen: [1] },
    ],
    states: ['temporary', 'valid', 'valid'],
    hint: 1,
  },
];

const allSecrets = new Set<string>([TOKEN, ADMIN_TOKEN]);
const allLogs: string[] = [];

function newKeys(provider: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `sk-test-${provider}-${i}-${randomBytes(12).toString('hex')}`,
  );
}

async function keyStates(
  gatewayUrl: string,
): Promise<
  { name: string; keys: { hint: string; state: KeyState; cooldown_remaining_ms: number }[] }[]
> {
  const response = await request(`${gatewayUrl}/admin/api/providers`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.statusCode).toBe(200);
  return (await response.body.json()) as never;
}

type Client = 'sdk' | 'raw';

describe.each(dialectProfiles)('failover matrix: $name', (profile) => {
  describe.each([false, true])('streaming=%s', (streaming) => {
    describe.each<Client>(['sdk', 'raw'])('client=%s', (client) => {
      it.each(scenarios)('$name', async (scenario) => {
        const keys = newKeys(profile.provider.name, scenario.keyCount);
        const byokKey = `sk-byok-${randomBytes(12).toString('hex')}`;
        for (const secret of [...keys, byokKey]) allSecrets.add(secret);
        const harness = await startHarness({ providers: [{ ...profile.provider, keys }] });
        try {
          const replies = scenario.replies(profile);
          const indexOf = (key: string | undefined): KeyRef =>
            key === byokKey ? 'byok' : keys.indexOf(key ?? '');
          harness.upstream.script = (seen) =>
            replies[indexOf(seen.key)] ?? profile.success(streaming);

          for (const step of scenario.steps) {
            harness.upstream.reset();
            const options = {
              gatewayUrl: harness.url,
              token: TOKEN,
              streaming,
              ...(scenario.byok === true ? { byokKey } : {}),
            };
            const outcome: ClientOutcome =
              client === 'sdk' ? await callSdk(profile, options) : await callRaw(profile, options);
            expect(outcome.status).toBe(step.status);
            expect(outcome.headers['retry-after']).toBe(step.retryAfter);
            if (step.status === 200) expect(outcome.text).toBe(SUCCESS_TEXT);
            if (step.message !== undefined) expect(outcome.errorMessage).toContain(step.message);
            expect(harness.upstream.keysSeen.map(indexOf)).toEqual(step.keysSeen);
          }

          const [provider] = await keyStates(harness.url);
          expect(provider?.keys.map((k) => k.state)).toEqual(scenario.states);
          expect(provider?.keys.map((k) => k.hint)).toEqual(keys.map(maskedHint));
          const last = harness.interceptions.at(-1);
          const expectedHint =
            scenario.hint === 'byok' ? maskedHint(byokKey) : maskedHint(keys[scenario.hint] ?? '');
          expect(last?.keyHint).toBe(expectedHint);
          expect(last?.credentialKind).toBe(scenario.byok === true ? 'byok' : 'centralized');
          expect(harness.interceptions).toHaveLength(scenario.steps.length);
        } finally {
          await harness.close();
          allLogs.push(...harness.logs);
        }
      });
    });
  });
});

afterAll(() => {
  // The matrix's log output, all of it: a configured key, gateway token or BYOK credential
  // must never appear, only masked hints.
  expect(allLogs.length).toBeGreaterThan(50);
  const joined = allLogs.join('\n');
  for (const secret of allSecrets) expect(joined).not.toContain(secret);
  expect(joined).toContain('cooling down');
  expect(joined).toContain('disabled until an operator re-enables it');
});
