import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { dialectProfiles } from './support/dialect-profiles.js';
import { streamWithSdk } from './support/profile.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { parseSseText } from './support/sse-text.js';

describe.each(dialectProfiles)('after the commit point: $name', (profile) => {
  let harness: Harness;
  const keys = [0, 1].map((i) => `sk-test-mid-${i}-${randomBytes(8).toString('hex')}`);

  beforeEach(async () => {
    harness = await startHarness({ providers: [{ ...profile.provider, keys }] });
  });
  afterEach(async () => {
    await harness.close();
  });

  async function rawStream(): Promise<{ status: number; text: string }> {
    const response = await request(`${harness.url}${profile.route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': TOKEN,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify(profile.requestBody(true)),
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  function expectNoFailover(): void {
    expect(harness.upstream.requests).toHaveLength(1);
    const states = harness.gateway.providers[0]?.pool.keys.map((k) => k.state());
    expect(states).toEqual(['valid', 'valid']);
  }

  it('an upstream error event is relayed after the events sent so far', async () => {
    harness.upstream.script = () => profile.midStreamError();
    const { status, text } = await rawStream();
    expect(status).toBe(200);
    const events = parseSseText(text);
    const sent = parseSseText((profile.midStreamError() as { sse: string[] }).sse.join(''));
    expect(events).toEqual(sent);
    expectNoFailover();
    expect(harness.interceptions[0]?.outcome).toBe('upstream_error');
  });

  it('a dropped upstream connection ends the stream with an error event', async () => {
    harness.upstream.script = () => profile.midStreamDrop();
    const { status, text } = await rawStream();
    expect(status).toBe(200);
    const events = parseSseText(text);
    const sent = parseSseText((profile.midStreamDrop() as { sse: string[] }).sse.join(''));
    expect(events.slice(0, sent.length)).toEqual(sent);
    expect(events).toHaveLength(sent.length + 1);
    expect(profile.isStreamError(events.at(-1))).toBe(true);
    expectNoFailover();
    expect(harness.interceptions[0]?.outcome).toBe('failed');
  });

  it.each(['midStreamError', 'midStreamDrop'] as const)(
    'the SDK surfaces %s as an error, not a truncated success',
    async (fault) => {
      harness.upstream.script = () => profile[fault]();
      const outcome = await streamWithSdk(profile, {
        gatewayUrl: harness.url,
        token: TOKEN,
        streaming: true,
      });
      expect(outcome.error).toBeDefined();
      expect(outcome.textBeforeError.length).toBeGreaterThan(0);
      expectNoFailover();
    },
  );
});
