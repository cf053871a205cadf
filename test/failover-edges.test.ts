import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import { maskedHint } from '../src/log/masked-hint.js';
import { FAILED_BODY_LIMITS } from '../src/upstream/failed-body.js';
import { adminKeys } from './support/admin-api.js';
import { anthropicError } from './support/anthropic-fixtures.js';
import { dialectProfiles, SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { FakeClock } from './support/fake-clock.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply } from './support/mock-upstream.js';
import { openaiError } from './support/openai-fixtures.js';
import { callSdk } from './support/profile.js';

/** Polls often: these waits are for the gateway's next few callbacks. */
const POLL = { interval: 5, timeout: 2000 };

const RATE_LIMIT_MESSAGE = 'Rate limit reached for requests';

function newKeys(profile: DialectProfile): string[] {
  return [0, 1, 2].map((i) => `sk-test-${profile.name}-${i}-${randomBytes(10).toString('hex')}`);
}

function errorJson(profile: DialectProfile, status: number, message: string): string {
  return JSON.stringify(
    profile.provider.type === 'anthropic'
      ? anthropicError(status === 429 ? 'rate_limit_error' : 'permission_error', message)
      : openaiError(status, message),
  );
}

/** The state of one upstream response the gateway received or abandoned. */
interface Watched {
  closed: boolean;
}

/** A 429 whose head and whole JSON message arrive, and whose body then never ends. */
function stalledRateLimit(profile: DialectProfile, watched: Watched): MockReply {
  return (_seen, res) => {
    res.on('close', () => (watched.closed = true));
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '30' });
    res.write(errorJson(profile, 429, RATE_LIMIT_MESSAGE));
  };
}

/** An upstream that takes the request and never answers it, not even its head. */
function silent(watched: Watched): MockReply {
  return (_seen, res) => {
    res.on('close', () => (watched.closed = true));
  };
}

async function withHarness(
  options: Parameters<typeof startHarness>[0],
  run: (harness: Harness) => Promise<void>,
): Promise<void> {
  const harness = await startHarness(options);
  try {
    await run(harness);
  } finally {
    await harness.close();
  }
}

/** Sends a bridged request that the test hangs up on; resolves once the client is gone. */
function hangUpRequest(
  harness: Harness,
  profile: DialectProfile,
  streaming: boolean,
): { hangUp: () => Promise<void> } {
  const controller = new AbortController();
  const pending = request(`${harness.url}${profile.route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming }),
    },
    body: JSON.stringify(profile.requestBody(streaming)),
    signal: controller.signal,
  }).then(
    () => 'answered' as const,
    () => 'aborted' as const,
  );
  return {
    async hangUp() {
      controller.abort();
      expect(await pending).toBe('aborted');
      // The gateway has seen the hang-up once the exchange is gone.
      await vi.waitFor(() => {
        expect(harness.gateway.activeRequests).toBe(0);
      }, POLL);
    },
  };
}

describe.each(dialectProfiles)('failover at the edges: $name', (profile) => {
  describe.each([false, true])('streaming=%s', (streaming) => {
    it('a 429 whose body never finishes: the next key serves the request at once, key 0 cools down', async () => {
      const keys = newKeys(profile);
      // The gateway's clock only moves when the test says: a loop that waited for the
      // stalled body would wait for ever, not for the one-second cap.
      const clock = new FakeClock();
      await withHarness({ providers: [{ ...profile.provider, keys }], clock }, async (harness) => {
        const key0 = { closed: false };
        harness.upstream.script = (seen) =>
          seen.key === keys[0] ? stalledRateLimit(profile, key0) : profile.success(streaming, seen);

        const started = performance.now();
        const outcome = await callSdk(profile, {
          gatewayUrl: harness.url,
          token: TOKEN,
          streaming,
        });
        const wallMs = performance.now() - started;

        expect(outcome.status).toBe(200);
        expect(outcome.text).toBe(SUCCESS_TEXT);
        // A functional bound, not a benchmark: waiting on the body would never have ended.
        expect(wallMs).toBeLessThan(1000);
        expect(harness.upstream.keysSeen).toEqual([keys[0], keys[1]]);
        // Key 0's body was still open when the client had its answer.
        expect(key0.closed).toBe(false);

        const states = await adminKeys(harness.url, profile.provider.name);
        expect(states.map((k) => [k.index, k.state, k.cooldown_remaining_ms])).toEqual([
          [0, 'temporary', 30_000],
          [1, 'valid', 0],
          [2, 'valid', 0],
        ]);

        // At the failed body's time cap the gateway gives up on it and closes its connection.
        clock.advance(FAILED_BODY_LIMITS.maxMs);
        await vi.waitFor(() => {
          expect(key0.closed).toBe(true);
        }, POLL);
        // The transition's log line, written once the message was known.
        await vi.waitFor(() => {
          expect(harness.logs.join('\n')).toContain('key rate-limited (429)');
        }, POLL);
        const line = harness.logs.find((l) => l.includes('key rate-limited (429)')) ?? '{}';
        expect(JSON.parse(line)).toMatchObject({
          provider: profile.provider.name,
          index: 0,
          key: maskedHint(keys[0] ?? ''),
          status: 429,
          message: RATE_LIMIT_MESSAGE,
          cooldown_ms: 30_000,
        });
      });
    });

    it('a client that hangs up while an attempt is pending: no later attempt', async () => {
      const keys = newKeys(profile);
      await withHarness({ providers: [{ ...profile.provider, keys }] }, async (harness) => {
        const key0 = { closed: false };
        const key1 = { closed: false };
        harness.upstream.script = (seen) =>
          seen.key === keys[0]
            ? stalledRateLimit(profile, key0)
            : seen.key === keys[1]
              ? silent(key1)
              : profile.success(streaming, seen);

        const client = hangUpRequest(harness, profile, streaming);
        // Key 0's failed body is still being discarded and key 1's attempt is pending.
        await vi.waitFor(() => {
          expect(harness.upstream.requests).toHaveLength(2);
        }, POLL);
        expect(key0.closed).toBe(false);
        await client.hangUp();

        await vi.waitFor(() => {
          expect(harness.interceptions).toHaveLength(1);
        }, POLL);
        // Time for any attempt that should not happen to reach the upstream.
        await sleep(50);
        expect(harness.upstream.keysSeen).toEqual([keys[0], keys[1]]);
        // The pending upstream request was abandoned with the client.
        await vi.waitFor(() => {
          expect(key1.closed).toBe(true);
        }, POLL);

        const [record] = harness.interceptions;
        expect(record).toMatchObject({
          outcome: 'cancelled',
          keyHint: maskedHint(keys[1] ?? ''),
          attempts: 2,
          credentialKind: 'centralized',
        });
        expect(
          record?.upstreamCalls[0]?.attempts.map((a) => [a.keyIndex, a.status, a.failedOver]),
        ).toEqual([
          [0, 429, true],
          [1, undefined, false],
        ]);
        // A hang-up says nothing about key 1.
        const states = await adminKeys(harness.url, profile.provider.name);
        expect(states.map((k) => k.state)).toEqual(['temporary', 'valid', 'valid']);
      });
    });

    it('a client that hangs up while a 403 is being verified: no attempt after the probe', async () => {
      const keys = newKeys(profile);
      await withHarness(
        { providers: [{ ...profile.provider, keys, on_forbidden: 'verify' }] },
        async (harness) => {
          let answerProbe: () => void = () => undefined;
          const probeAnswered = new Promise<void>((resolve) => (answerProbe = resolve));
          harness.upstream.script = (seen) => {
            if (seen.method === 'GET') {
              return async (_seen, res) => {
                await probeAnswered;
                res.writeHead(200, { 'content-type': 'application/json' });
                res.end('{"data":[]}');
              };
            }
            return seen.key === keys[0]
              ? profile.upstreamError(403, 'this key may not use this model')
              : profile.success(streaming, seen);
          };

          const client = hangUpRequest(harness, profile, streaming);
          await vi.waitFor(() => {
            expect(harness.upstream.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
          }, POLL);
          await client.hangUp();
          // The probe says the key works: a walk that ignored the hang-up would go on to key 1.
          answerProbe();
          await vi.waitFor(() => {
            expect(harness.interceptions).toHaveLength(1);
          }, POLL);
          await sleep(50);
          expect(
            harness.upstream.requests.map((r) => [r.method, keys.indexOf(r.key ?? '')]),
          ).toEqual([
            ['POST', 0],
            ['GET', 0],
          ]);
          expect(harness.interceptions[0]).toMatchObject({
            outcome: 'cancelled',
            keyHint: maskedHint(keys[0] ?? ''),
            attempts: 1,
          });
          const states = await adminKeys(harness.url, profile.provider.name);
          expect(states.map((k) => k.state)).toEqual(['valid', 'valid', 'valid']);
        },
      );
    });
  });
});
