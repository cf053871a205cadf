import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { agenticProfiles } from './support/agentic-profiles.js';
import { dialectProfiles, SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { sseEventsOf } from './support/fault-replies.js';
import { FakeClock } from './support/fake-clock.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { callRaw } from './support/profile.js';

const BREAKER = { failures: 3, open_for: '30s', half_open_requests: 2 };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(profile: DialectProfile, clock: FakeClock): Promise<Harness> {
  const keys = [0, 1].map((i) => `sk-test-breaker-${i}-${randomBytes(8).toString('hex')}`);
  harness = await startHarness({
    providers: [{ ...profile.provider, keys, circuit_breaker: BREAKER }],
    clock,
  });
  return harness;
}

function call(h: Harness, profile: DialectProfile, streaming: boolean) {
  return callRaw(profile, { gatewayUrl: h.url, token: TOKEN, streaming });
}

/** The breaker's log lines, as `from→to`. */
function transitions(h: Harness): string[] {
  return h.logs
    .map((line) => JSON.parse(line) as { msg: string; from?: string; to?: string })
    .filter((entry) => entry.msg.startsWith('circuit breaker'))
    .map((entry) => `${entry.from ?? ''}→${entry.to ?? ''}`);
}

const streamed = (seen: SeenRequest): boolean =>
  (JSON.parse(seen.body.toString()) as { stream?: unknown }).stream === true;

/** A stream that ends cleanly but before the API's terminal event. */
function truncated(profile: DialectProfile): MockReply {
  return (seen, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(sseEventsOf(profile, seen).slice(0, 2).join(''));
  };
}

describe.each(dialectProfiles)('circuit breaker: $name', (profile) => {
  it('trips on 5xx answers, then refuses with 503 and Retry-After without calling upstream', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    const statuses = [500, 529, 503];
    let n = 0;
    h.upstream.script = () => profile.upstreamError(statuses[n++] ?? 500, 'the provider is down');
    for (const status of statuses) {
      expect((await call(h, profile, false)).status).toBe(status);
    }
    expect(h.upstream.requests).toHaveLength(3);
    clock.advance(10_000);

    const refused = await call(h, profile, false);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.errorMessage).toMatch(/circuit breaker open/);
    expect(refused.errorBody).toEqual(
      profile.provider.type === 'anthropic'
        ? { type: 'error', error: { type: 'api_error', message: refused.errorMessage } }
        : {
            error: {
              message: refused.errorMessage,
              type: 'api_error',
              param: null,
              code: 'service_unavailable',
            },
          },
    );
    // Streaming requests too, before any stream starts.
    expect((await call(h, profile, true)).status).toBe(503);
    expect(h.upstream.requests).toHaveLength(3);
    expect(h.interceptions.at(-1)).toMatchObject({ status: 503, outcome: 'failed', attempts: 0 });
    expect(transitions(h)).toEqual(['closed→open']);
  });

  it('half-open lets the trial requests through, and their success closes it', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    h.upstream.script = () => profile.upstreamError(502, 'bad gateway');
    for (let i = 0; i < 3; i++) await call(h, profile, false);
    clock.advance(30_000);
    h.upstream.reset((seen) => profile.success(streamed(seen), seen));

    const trials = [await call(h, profile, true), await call(h, profile, true)];
    expect(trials.map((t) => [t.status, t.text])).toEqual([
      [200, SUCCESS_TEXT],
      [200, SUCCESS_TEXT],
    ]);
    expect(transitions(h)).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    for (let i = 0; i < 3; i++) expect((await call(h, profile, false)).status).toBe(200);
    expect(h.upstream.requests).toHaveLength(5);
  });

  it('a failed trial reopens it for another open_for', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    h.upstream.script = () => profile.upstreamError(503, 'overloaded');
    for (let i = 0; i < 3; i++) await call(h, profile, false);
    clock.advance(30_000);

    expect((await call(h, profile, false)).status).toBe(503);
    expect(h.upstream.requests).toHaveLength(4);
    const refused = await call(h, profile, false);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.errorMessage).toMatch(/circuit breaker open/);
    expect(h.upstream.requests).toHaveLength(4);
    expect(transitions(h)).toEqual(['closed→open', 'open→half-open', 'half-open→open']);
  });

  it('trips on streams that fail after they started: dropped, cut short, or an error event', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    const faults = [profile.midStreamDrop(), truncated(profile), profile.midStreamError()];
    let n = 0;
    h.upstream.script = () => faults[n++] ?? profile.midStreamDrop();
    for (let i = 0; i < 3; i++) {
      const response = await request(`${h.url}${profile.route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming: true }),
        },
        body: JSON.stringify(profile.requestBody(true)),
      });
      expect(response.statusCode).toBe(200);
      await response.body.text();
    }
    expect(h.interceptions.map((i) => i.outcome)).toEqual(['failed', 'failed', 'upstream_error']);
    const refused = await call(h, profile, true);
    expect(refused.status).toBe(503);
    expect(h.upstream.requests).toHaveLength(3);
    const opened = h.logs.find((line) => line.includes('circuit breaker opened'));
    expect(JSON.parse(opened ?? '{}')).toMatchObject({
      provider: profile.provider.name,
      model: profile.requestBody(true)['model'],
      failures: 3,
      cause: 'an error event in the stream',
    });
  });

  it('never trips on 429s, however many', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    h.upstream.script = () => profile.upstreamError(429, 'slow down', { 'retry-after-ms': '1000' });
    for (let i = 0; i < 10; i++) {
      // Both keys rate-limited: the client gets the pool's 429.
      expect((await call(h, profile, i % 2 === 0)).status).toBe(429);
      clock.advance(1000);
    }
    expect(h.upstream.requests).toHaveLength(20);
    h.upstream.reset((seen) => profile.success(false, seen));
    expect((await call(h, profile, false)).status).toBe(200);
    expect(h.gateway.providers[0]?.breakers?.snapshot()).toEqual([]);
    expect(transitions(h)).toEqual([]);
  });

  it('a success between failures starts the count again', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    const replies = [500, 500, 200, 500, 500, 200, 500, 500];
    let n = 0;
    h.upstream.script = (seen) => {
      const status = replies[n++] ?? 200;
      return status === 200 ? profile.success(false, seen) : profile.upstreamError(status, 'oops');
    };
    for (const status of replies) expect((await call(h, profile, false)).status).toBe(status);
    expect(h.upstream.requests).toHaveLength(replies.length);
    expect(transitions(h)).toEqual([]);
  });
});

describe('circuit breaker scope', () => {
  const profile = dialectProfiles[0] as DialectProfile;

  it('is per model, and passthrough routes are never refused', async () => {
    const clock = new FakeClock();
    const h = await start(profile, clock);
    h.upstream.script = (seen) =>
      seen.method === 'GET'
        ? { status: 200, body: { data: [] } }
        : profile.upstreamError(500, 'model down');
    for (let i = 0; i < 3; i++) await call(h, profile, false);
    expect((await call(h, profile, false)).status).toBe(503);

    h.upstream.reset((seen) =>
      seen.method === 'GET' ? { status: 200, body: { data: [] } } : profile.success(false, seen),
    );
    const other = await callRaw(
      profile,
      { gatewayUrl: h.url, token: TOKEN, streaming: false },
      JSON.stringify({ ...profile.requestBody(false), model: 'another-model' }),
    );
    expect(other.status).toBe(200);
    const models = await request(`${h.url}/anthropic/v1/models`, {
      headers: profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming: false }),
    });
    expect(models.statusCode).toBe(200);
    await models.body.text();
    expect(h.upstream.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('a provider without circuit_breaker never refuses', async () => {
    const upstreamFailures = 20;
    harness = await startHarness({
      providers: [{ ...profile.provider, keys: ['sk-test-no-breaker-0123456789'] }],
    });
    const h = harness;
    h.upstream.script = () => profile.upstreamError(503, 'down');
    for (let i = 0; i < upstreamFailures; i++) {
      expect((await call(h, profile, false)).status).toBe(503);
    }
    expect(h.upstream.requests).toHaveLength(upstreamFailures);
    expect(h.gateway.providers[0]?.breakers).toBeUndefined();
  });
});

describe('circuit breaker in the agentic loop', () => {
  const TOOL = 'mcp_kb__echo';
  const CALL = { id: 'call_kb_0001', name: TOOL, arguments: '{"text":"42"}' };
  let mcp: TestMcpHttpServer;
  beforeAll(async () => {
    mcp = await TestMcpHttpServer.start({
      tools: [{ name: 'echo', description: 'Says its text back', behavior: 'echo' }],
    });
  });
  afterAll(async () => {
    await mcp.stop();
  });

  it.each(agenticProfiles)(
    '$profile.name: a failed continuation counts, and a refused call never reaches upstream',
    async (agentic) => {
      const { profile } = agentic;
      harness = await startHarness({
        providers: [
          {
            ...profile.provider,
            keys: ['sk-test-agentic-breaker-0123456789'],
            circuit_breaker: { failures: 1, open_for: '1m' },
          },
        ],
        clock: new FakeClock(),
        extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
      });
      const h = harness;
      await expect.poll(() => h.gateway.mcp?.snapshot().isInjected(TOOL)).toBe(true);
      // The first call asks for the tool; every continuation finds the provider down.
      h.upstream.script = (seen) =>
        agentic.resultsIn(JSON.parse(seen.body.toString())).length === 0
          ? agentic.toolCall(false, [CALL])
          : profile.upstreamError(503, 'overloaded');
      expect((await call(h, profile, false)).errorMessage).toBe('overloaded');
      expect(h.upstream.requests).toHaveLength(2);
      const refused = await call(h, profile, false);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('60');
      expect(refused.errorMessage).toMatch(/circuit breaker open/);
      expect(h.upstream.requests).toHaveLength(2);
    },
  );
});
