import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import { maskedHint } from '../src/log/masked-hint.js';
import { adminKeys } from './support/admin-api.js';
import { dialectProfiles, SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { FakeClock } from './support/fake-clock.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { callRaw, callSdk } from './support/profile.js';

const MIN = 60_000;

function newKeys(profile: DialectProfile, count = 2): string[] {
  return Array.from(
    { length: count },
    (_, i) => `sk-test-${profile.name}-recover-${i}-${randomBytes(10).toString('hex')}`,
  );
}

/** The probe's path as the upstream sees it: OpenAI's base URL ends in /v1. */
const PROBE_URL = '/v1/models';

const isProbe = (seen: SeenRequest): boolean => seen.method === 'GET' && seen.url === PROBE_URL;

const modelsList: MockReply = { status: 200, body: { data: [{ id: 'model-a' }] } };

/** The whole upstream error reply the mock sends, as parsed JSON, to compare with the relay. */
function bodyOf(reply: MockReply): unknown {
  if (typeof reply === 'function' || 'sse' in reply) throw new Error('expected a JSON reply');
  return reply.body;
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

/** Headers of the client's own request, which a probe must not carry. */
const CLIENT_HEADERS = { 'x-client-marker': 'from-the-client', 'user-agent': 'client-agent/1.0' };

async function rawCall(
  harness: Harness,
  profile: DialectProfile,
  streaming: boolean,
): Promise<{ status: number; body: unknown }> {
  const response = await request(`${harness.url}${profile.route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...CLIENT_HEADERS,
      ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming }),
    },
    body: JSON.stringify(profile.requestBody(streaming)),
  });
  return { status: response.statusCode, body: JSON.parse(await response.body.text()) as unknown };
}

function expectCleanProbe(seen: SeenRequest | undefined, key: string | undefined): void {
  expect(seen?.method).toBe('GET');
  expect(seen?.url).toBe(PROBE_URL);
  expect(seen?.key).toBe(key);
  expect(seen?.body.length).toBe(0);
  // Only the key, the API version and what HTTP itself needs: nothing of any client's request.
  const allowed = [
    'host',
    'connection',
    'accept-encoding',
    'anthropic-version',
    'x-api-key',
    'authorization',
  ];
  expect(Object.keys(seen?.headers ?? {}).filter((name) => !allowed.includes(name))).toEqual([]);
  expect(JSON.stringify(seen?.headers)).not.toContain(TOKEN);
}

describe.each(dialectProfiles)('on_forbidden: verify: $name', (profile) => {
  describe.each([false, true])('streaming=%s', (streaming) => {
    it('a 403 about this request leaves every key valid and reaches the client as it was', async () => {
      const keys = newKeys(profile);
      const forbidden = keys.map((_, i) =>
        profile.upstreamError(403, `key ${i} may not use model claude-x`),
      );
      await withHarness(
        { providers: [{ ...profile.provider, keys, on_forbidden: 'verify' }] },
        async (harness) => {
          harness.upstream.script = (seen) =>
            isProbe(seen) ? modelsList : (forbidden[keys.indexOf(seen.key ?? '')] ?? modelsList);
          const { status, body } = await rawCall(harness, profile, streaming);
          expect(status).toBe(403);
          // The last key's 403, body intact.
          expect(body).toEqual(bodyOf(forbidden[1] ?? modelsList));

          const states = await adminKeys(harness.url, profile.provider.name);
          expect(states.map((k) => [k.index, k.state])).toEqual([
            [0, 'valid'],
            [1, 'valid'],
          ]);
          const seen = harness.upstream.requests;
          expect(seen.map((r) => [r.method, keys.indexOf(r.key ?? '')])).toEqual([
            ['POST', 0],
            ['GET', 0],
            ['POST', 1],
            ['GET', 1],
          ]);
          expectCleanProbe(seen[1], keys[0]);
          expectCleanProbe(seen[3], keys[1]);
          expect(harness.interceptions[0]).toMatchObject({
            outcome: 'upstream_error',
            status: 403,
            keyHint: maskedHint(keys[1] ?? ''),
            attempts: 2,
          });
          // Skipped for that request only: the next one starts from key 0 again.
          harness.upstream.reset((next) =>
            isProbe(next) ? modelsList : profile.success(streaming, next),
          );
          const outcome = await callSdk(profile, {
            gatewayUrl: harness.url,
            token: TOKEN,
            streaming,
          });
          expect(outcome.text).toBe(SUCCESS_TEXT);
          expect(harness.upstream.keysSeen).toEqual([keys[0]]);
          // The probes are logged.
          const probeLines = harness.logs.filter((l) => l.includes('key probe (verify)'));
          expect(probeLines).toHaveLength(2);
          expect(JSON.parse(probeLines[0] ?? '{}')).toMatchObject({
            index: 0,
            key: maskedHint(keys[0] ?? ''),
            status: 200,
            verdict: 'works',
          });
        },
      );
    });

    it('a revoked key (the probe is refused too) is disabled and the request fails over', async () => {
      const keys = newKeys(profile);
      await withHarness(
        { providers: [{ ...profile.provider, keys, on_forbidden: 'verify' }] },
        async (harness) => {
          harness.upstream.script = (seen) => {
            if (seen.key !== keys[0]) return profile.success(streaming, seen);
            return isProbe(seen)
              ? profile.upstreamError(401, 'API key revoked')
              : profile.upstreamError(403, 'API key revoked');
          };
          const outcome = await callSdk(profile, {
            gatewayUrl: harness.url,
            token: TOKEN,
            streaming,
          });
          expect(outcome.status).toBe(200);
          expect(outcome.text).toBe(SUCCESS_TEXT);
          expect(
            harness.upstream.requests.map((r) => [r.method, keys.indexOf(r.key ?? '')]),
          ).toEqual([
            ['POST', 0],
            ['GET', 0],
            ['POST', 1],
          ]);
          expectCleanProbe(harness.upstream.requests[1], keys[0]);
          const states = await adminKeys(harness.url, profile.provider.name);
          expect(states.map((k) => k.state)).toEqual(['permanent', 'valid']);
          expect(harness.interceptions[0]).toMatchObject({
            outcome: 'completed',
            keyHint: maskedHint(keys[1] ?? ''),
          });
        },
      );
    });
  });
});

describe.each(dialectProfiles)('keys that recover: $name', (profile) => {
  it('a key disabled by a 401 is re-checked after the delay, backs off, and comes back on 2xx', async () => {
    const keys = newKeys(profile);
    const clock = new FakeClock();
    await withHarness(
      { providers: [{ ...profile.provider, keys, recheck_disabled_keys: '10m' }], clock },
      async (harness) => {
        let providerAcceptsKey0 = false;
        harness.upstream.script = (seen) => {
          if (seen.key === keys[0] && !providerAcceptsKey0) {
            return profile.upstreamError(401, `Incorrect API key provided: ${keys[0] ?? ''}`);
          }
          return isProbe(seen) ? modelsList : profile.success(false, seen);
        };
        const first = await callRaw(profile, {
          gatewayUrl: harness.url,
          token: TOKEN,
          streaming: false,
        });
        expect(first.status).toBe(200);
        let states = await adminKeys(harness.url, profile.provider.name);
        expect(states.map((k) => [k.index, k.hint, k.state])).toEqual([
          [0, maskedHint(keys[0] ?? ''), 'permanent'],
          [1, maskedHint(keys[1] ?? ''), 'valid'],
        ]);
        harness.upstream.reset();

        // Not before the delay.
        clock.advance(10 * MIN - 1);
        await sleep(50);
        expect(harness.upstream.requests).toEqual([]);
        // At the delay: a probe, still refused; the next one is twice as far.
        clock.advance(1);
        await vi.waitFor(() => {
          expect(harness.logs.join('\n')).toContain('key re-check: still not usable');
        });
        expect(harness.upstream.requests).toHaveLength(1);
        expectCleanProbe(harness.upstream.requests[0], keys[0]);
        const stillDisabled = harness.logs.find((l) =>
          l.includes('key re-check: still not usable'),
        );
        expect(JSON.parse(stillDisabled ?? '{}')).toMatchObject({
          index: 0,
          status: 401,
          verdict: 'rejected',
          next_in_ms: 20 * MIN,
        });
        states = await adminKeys(harness.url, profile.provider.name);
        expect(states[0]?.state).toBe('permanent');

        // The provider's incident is over: the next probe, 20 minutes on, brings it back.
        providerAcceptsKey0 = true;
        clock.advance(20 * MIN - 1);
        await sleep(50);
        expect(harness.upstream.requests).toHaveLength(1);
        clock.advance(1);
        await vi.waitFor(async () => {
          const now = await adminKeys(harness.url, profile.provider.name);
          expect(now.map((k) => k.state)).toEqual(['valid', 'valid']);
        });
        expect(harness.upstream.requests).toHaveLength(2);
        expectCleanProbe(harness.upstream.requests[1], keys[0]);
        await vi.waitFor(() => {
          expect(harness.logs.join('\n')).toContain('key re-enabled: a re-check found it working');
        });

        // Requests use it again.
        harness.upstream.reset();
        await callRaw(profile, { gatewayUrl: harness.url, token: TOKEN, streaming: false });
        expect(harness.upstream.keysSeen).toEqual([keys[0]]);
      },
    );
  });

  it('the transition log line has the status and the provider message, never the key', async () => {
    const keys = newKeys(profile, 3);
    await withHarness({ providers: [{ ...profile.provider, keys }] }, async (harness) => {
      harness.upstream.script = (seen) =>
        seen.key === keys[0]
          ? profile.upstreamError(401, `Incorrect API key provided: ${keys[0] ?? ''}. Check it.`, {
              'x-request-id': 'req_recover_1',
              'request-id': 'req_recover_1',
            })
          : seen.key === keys[1]
            ? profile.upstreamError(429, `Rate limit for key ${keys[1] ?? ''} reached`, {
                'retry-after': '20',
              })
            : profile.success(false, seen);
      const outcome = await callRaw(profile, {
        gatewayUrl: harness.url,
        token: TOKEN,
        streaming: false,
      });
      expect(outcome.status).toBe(200);
      await vi.waitFor(() => {
        expect(harness.logs.join('\n')).toContain('key rejected by the provider (401)');
        expect(harness.logs.join('\n')).toContain('key rate-limited (429)');
      });
      const disabled = harness.logs.find((l) => l.includes('key rejected by the provider (401)'));
      expect(JSON.parse(disabled ?? '{}')).toMatchObject({
        level: 50,
        provider: profile.provider.name,
        index: 0,
        key: maskedHint(keys[0] ?? ''),
        status: 401,
        message: `Incorrect API key provided: ${maskedHint(keys[0] ?? '')}. Check it.`,
        upstream_request_id: 'req_recover_1',
      });
      expect(disabled).toContain('a re-check finds it working');
      const cooling = harness.logs.find((l) => l.includes('key rate-limited (429)'));
      expect(JSON.parse(cooling ?? '{}')).toMatchObject({
        index: 1,
        status: 429,
        message: `Rate limit for key ${maskedHint(keys[1] ?? '')} reached`,
        cooldown_ms: 20_000,
      });

      // An operator re-enable is logged too.
      const enable = await request(
        `${harness.url}/admin/api/providers/${profile.provider.name}/keys/0/enable`,
        { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
      );
      expect(enable.statusCode).toBe(200);
      expect(await enable.body.json()).toMatchObject({ index: 0, state: 'valid' });
      expect(harness.logs.join('\n')).toContain('key re-enabled by an operator');

      const everything = harness.logs.join('\n');
      for (const secret of [...keys, TOKEN, ADMIN_TOKEN]) expect(everything).not.toContain(secret);
    });
  });
});
