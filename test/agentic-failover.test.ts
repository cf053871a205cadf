import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { agenticProfiles, type AgenticProfile } from './support/agentic-profiles.js';
import { adminKeys } from './support/admin-api.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { SUCCESS_TEXT } from './support/profile.js';
import { parseSseText } from './support/sse-text.js';

const TOOL = 'mcp_kb__echo';
const CALL = { id: 'call_kb_0001', name: TOOL, arguments: '{"text":"the answer is 42"}' };

let mcp: TestMcpHttpServer;
beforeAll(async () => {
  mcp = await TestMcpHttpServer.start({
    tools: [{ name: 'echo', description: 'Says its text back', behavior: 'echo' }],
  });
});
afterAll(async () => {
  await mcp.stop();
});

/** A gateway with the MCP server's tools ready to inject. */
async function agenticHarness(profile: AgenticProfile, keys: readonly string[]): Promise<Harness> {
  const harness = await startHarness({
    providers: [{ ...profile.profile.provider, keys }],
    extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
  });
  await expect.poll(() => harness.gateway.mcp?.snapshot().isInjected(TOOL)).toBe(true);
  return harness;
}

interface Scenario {
  readonly name: string;
  /** How each key answers the continuation (the first call always asks for the tool). */
  readonly continuation: (profile: AgenticProfile, key: number) => MockReply | undefined;
  readonly keysSeen: readonly number[];
  readonly states: readonly string[];
  /** What the client gets, by mode. */
  readonly expect: (streaming: boolean, profile: AgenticProfile) => Expected;
}

type Expected =
  | { readonly kind: 'answer' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter: string }
  | { readonly kind: 'stream-error'; readonly message: string };

const rateLimited = (profile: AgenticProfile, seconds: string): MockReply =>
  profile.profile.upstreamError(429, 'rate limited upstream', { 'retry-after': seconds });

/** The agentic failover contract: every iteration walks the pool on its own. */
const scenarios: readonly Scenario[] = [
  {
    name: 'happy path',
    continuation: () => undefined,
    keysSeen: [0, 0],
    states: ['valid', 'valid'],
    expect: () => ({ kind: 'answer' }),
  },
  {
    name: 'continuation rate-limited on key 0, served by key 1',
    continuation: (p, key) => (key === 0 ? rateLimited(p, '30') : undefined),
    keysSeen: [0, 0, 1],
    states: ['temporary', 'valid'],
    expect: () => ({ kind: 'answer' }),
  },
  {
    name: 'continuation rate-limited on both keys',
    continuation: (p, key) => rateLimited(p, key === 0 ? '30' : '20'),
    keysSeen: [0, 0, 1],
    states: ['temporary', 'temporary'],
    // Messages and Chat streams have started by then; Responses holds its agentic events.
    expect: (streaming, p) =>
      streaming && p.profile.name !== 'responses'
        ? { kind: 'stream-error', message: 'all configured keys are rate-limited' }
        : { kind: 'status', status: 429, retryAfter: '20' },
  },
];

describe.each(agenticProfiles)('agentic failover: $profile.name', (agentic) => {
  const { profile } = agentic;
  describe.each([false, true])('streaming=%s', (streaming) => {
    it.each(scenarios)('$name', async (scenario) => {
      const keys = [0, 1].map((i) => `sk-test-agentic-${i}-${randomBytes(8).toString('hex')}`);
      const harness = await agenticHarness(agentic, keys);
      const continuations: SeenRequest[] = [];
      try {
        harness.upstream.script = (seen) => {
          const body = JSON.parse(seen.body.toString()) as unknown;
          if (agentic.resultsIn(body).length === 0) return agentic.toolCall(streaming, [CALL]);
          continuations.push(seen);
          return (
            scenario.continuation(agentic, keys.indexOf(seen.key ?? '')) ??
            profile.success(streaming)
          );
        };
        const response = await request(`${harness.url}${profile.route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming }),
          },
          body: JSON.stringify(profile.requestBody(streaming)),
        });
        const text = await response.body.text();
        const expected = scenario.expect(streaming, agentic);

        expect(harness.upstream.keysSeen.map((k) => keys.indexOf(k ?? ''))).toEqual(
          scenario.keysSeen,
        );
        // The tool ran once, and its result went upstream with every continuation.
        expect(mcp.tools.calls.filter((c) => c.name === 'echo').length).toBeGreaterThan(0);
        for (const seen of continuations) {
          expect(agentic.resultsIn(JSON.parse(seen.body.toString()))).toEqual([
            { callId: CALL.id, text: 'the answer is 42' },
          ]);
        }
        if (expected.kind === 'status') {
          expect(response.statusCode).toBe(expected.status);
          expect(response.headers['retry-after']).toBe(expected.retryAfter);
          expect(profile.errorMessageOf(JSON.parse(text))).toContain(
            'all configured keys are rate-limited',
          );
        } else {
          expect(response.statusCode).toBe(200);
          if (!streaming) {
            expect(profile.textOfBody(JSON.parse(text))).toBe(SUCCESS_TEXT);
          } else {
            const events = parseSseText(text);
            const pieces = events
              .filter((e) => e.data.startsWith('{'))
              .map((e) => profile.textOfEvent(JSON.parse(e.data)) ?? '')
              .join('');
            if (expected.kind === 'answer') {
              expect(pieces).toBe(SUCCESS_TEXT);
              expect(events.some((e) => profile.isStreamError(e))).toBe(false);
            } else {
              expect(profile.isStreamError(events.at(-1))).toBe(true);
              expect(events.at(-1)?.data).toContain(expected.message);
            }
          }
          // The client never sees the gateway's tool.
          expect(text).not.toContain(TOOL);
          expect(text).not.toContain(CALL.id);
        }
        const states = await adminKeys(harness.url, profile.provider.name);
        expect(states.map((k) => k.state)).toEqual(scenario.states);
        const record = harness.interceptions.at(-1);
        // One walk per upstream call: the first call, then the continuation's own.
        expect(record?.upstreamCalls.map((c) => c.attempts.map((a) => a.keyIndex))).toEqual([
          [0],
          scenario.keysSeen.slice(1),
        ]);
        expect(record?.toolCalls).toMatchObject([
          { iteration: 0, server: 'kb', tool: 'echo', injected: true, arguments: CALL.arguments },
        ]);
      } finally {
        await harness.close();
      }
    });
  });
});
