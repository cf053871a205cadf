import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { agenticProfiles, type AgenticProfile } from './support/agentic-profiles.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import type { ScriptedToolSpec } from './support/mcp-scripted-tools.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { SUCCESS_TEXT } from './support/profile.js';
import { parseSseText } from './support/sse-text.js';

const TOOLS: ScriptedToolSpec[] = [
  { name: 'echo', description: 'Says its text back', behavior: 'echo' },
  { name: 'slow', description: 'Answers after ms milliseconds', behavior: 'slow' },
  { name: 'throw', description: 'Always throws', behavior: 'throw' },
  { name: 'delete_everything', description: 'Never offered', behavior: 'echo' },
];

let mcp: TestMcpHttpServer;
beforeAll(async () => {
  mcp = await TestMcpHttpServer.start({ tools: TOOLS });
});
afterAll(async () => {
  await mcp.stop();
});

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const keys = (): string[] =>
  [0, 1].map((i) => `sk-test-loop-${i}-${randomBytes(8).toString('hex')}`);

async function start(
  agentic: AgenticProfile,
  server: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<Harness> {
  harness = await startHarness({
    providers: [{ ...agentic.profile.provider, keys: keys() }],
    extra: {
      mcp_servers: [{ name: 'kb', url: mcp.url, tool_deny: '^delete_', ...server }],
      ...extra,
    },
  });
  const started = harness;
  await expect.poll(() => started.gateway.mcp?.snapshot().tools.length).toBeGreaterThan(0);
  return started;
}

/** The tool names a request the gateway sent upstream declared. */
function declaredTools(seen: SeenRequest): string[] {
  const tools = (JSON.parse(seen.body.toString()) as { tools?: Record<string, unknown>[] }).tools;
  return (tools ?? []).map((tool) =>
    String(tool['name'] ?? (tool['function'] as { name?: unknown } | undefined)?.name),
  );
}

async function call(
  h: Harness,
  agentic: AgenticProfile,
  streaming: boolean,
  body?: Record<string, unknown>,
): Promise<{ status: number; text: string; ms: number }> {
  const { profile } = agentic;
  const started = Date.now();
  const response = await request(`${h.url}${profile.route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming }),
    },
    body: JSON.stringify(body ?? profile.requestBody(streaming)),
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, ms: Date.now() - started };
}

/** Scripts the model: first it calls `calls`, then, once it has results, it answers. */
function twoTurns(
  h: Harness,
  agentic: AgenticProfile,
  streaming: boolean,
  calls: { id: string; name: string; arguments: string }[],
): void {
  h.upstream.script = (seen): MockReply => {
    const body = JSON.parse(seen.body.toString()) as unknown;
    return agentic.resultsIn(body).length === 0
      ? agentic.toolCall(streaming, calls)
      : agentic.profile.success(streaming);
  };
}

function resultsOf(agentic: AgenticProfile, seen: SeenRequest | undefined) {
  return agentic.resultsIn(JSON.parse(seen?.body.toString() ?? '{}'));
}

describe.each(agenticProfiles)('the agentic loop: $profile.name', (agentic) => {
  it('runs two injected calls of one turn concurrently and sends both results on', async () => {
    const h = await start(agentic);
    twoTurns(h, agentic, false, [
      { id: 'call_a', name: 'mcp_kb__slow', arguments: '{"ms":1000}' },
      { id: 'call_b', name: 'mcp_kb__slow', arguments: '{"ms":1000}' },
    ]);
    const result = await call(h, agentic, false);
    expect(result.status).toBe(200);
    // Run one after the other they would take 2 s at the very least.
    expect(result.ms).toBeGreaterThanOrEqual(1000);
    expect(result.ms).toBeLessThan(1800);
    expect(
      resultsOf(agentic, h.upstream.requests[1]).sort((a, b) => a.callId.localeCompare(b.callId)),
    ).toEqual([
      { callId: 'call_a', text: 'slept 1000 ms' },
      { callId: 'call_b', text: 'slept 1000 ms' },
    ]);
  });

  it('a tool that throws gives the model an error result and the request goes on', async () => {
    const h = await start(agentic);
    twoTurns(h, agentic, false, [{ id: 'call_t', name: 'mcp_kb__throw', arguments: '{}' }]);
    const result = await call(h, agentic, false);
    expect(result.status).toBe(200);
    const [sent] = resultsOf(agentic, h.upstream.requests[1]);
    expect(sent?.callId).toBe('call_t');
    expect(sent?.text).toContain('the tool broke on purpose');
    expect(h.interceptions[0]?.toolCalls[0]).toMatchObject({
      tool: 'throw',
      injected: true,
      error: expect.stringContaining('the tool broke on purpose') as unknown,
    });
  });

  it('a tool that times out gives the model an error result', async () => {
    const h = await start(agentic, { timeout: '300ms' });
    twoTurns(h, agentic, true, [{ id: 'call_s', name: 'mcp_kb__slow', arguments: '{"ms":30000}' }]);
    const result = await call(h, agentic, true);
    expect(result.status).toBe(200);
    expect(result.ms).toBeLessThan(10_000);
    const [sent] = resultsOf(agentic, h.upstream.requests[1]);
    expect(sent?.text).toContain('did not answer within 300 ms');
    expect(h.interceptions[0]?.outcome).toBe('completed');
  });

  it('only allowed tools are offered, and the client never sees them', async () => {
    const h = await start(agentic);
    h.upstream.script = () => agentic.profile.success(true);
    const result = await call(h, agentic, true);
    expect(result.status).toBe(200);
    const declared = declaredTools(h.upstream.requests[0] as SeenRequest);
    expect(declared).toEqual(['mcp_kb__echo', 'mcp_kb__slow', 'mcp_kb__throw']);
    expect(result.text).not.toContain('mcp_kb__');
  });

  it.each([false, true])('stops at mcp_max_iterations (streaming=%s)', async (streaming) => {
    const h = await start(agentic, {}, { mcp_max_iterations: 3 });
    let n = 0;
    h.upstream.script = () =>
      agentic.toolCall(streaming, [
        { id: `call_${n++}`, name: 'mcp_kb__echo', arguments: '{"text":"again"}' },
      ]);
    const result = await call(h, agentic, streaming);
    expect(h.upstream.requests).toHaveLength(3);
    const message = 'mcp_max_iterations';
    const committed = streaming && agentic.profile.name !== 'responses' ? 'stream-error' : 'status';
    if (committed === 'status') {
      expect(result.status).toBe(400);
      expect(agentic.profile.errorMessageOf(JSON.parse(result.text))).toContain(message);
    } else {
      expect(result.status).toBe(200);
      const last = parseSseText(result.text).at(-1);
      expect(agentic.profile.isStreamError(last)).toBe(true);
      expect(last?.data).toContain(message);
    }
    expect(h.interceptions[0]).toMatchObject({ outcome: 'failed' });
    expect(h.interceptions[0]?.upstreamCalls).toHaveLength(3);
  });

  it('a turn mixing injected and client calls runs the injected ones and drops the client one', async () => {
    const h = await start(agentic);
    let n = 0;
    h.upstream.script = () => {
      n++;
      if (n === 1) {
        return agentic.toolCall(false, [
          { id: 'call_inj', name: 'mcp_kb__echo', arguments: '{"text":"from the gateway"}' },
          { id: 'call_cli', name: 'read_file', arguments: '{"path":"a.txt"}' },
        ]);
      }
      // The model asks for the client's tool again, alone: that turn is the client's.
      return agentic.toolCall(false, [
        { id: 'call_cli2', name: 'read_file', arguments: '{"path":"a.txt"}' },
      ]);
    };
    const result = await call(h, agentic, false);
    expect(result.status).toBe(200);
    expect(h.upstream.requests).toHaveLength(2);
    const continuation = h.upstream.requests[1]?.body.toString() ?? '';
    expect(resultsOf(agentic, h.upstream.requests[1])).toEqual([
      { callId: 'call_inj', text: 'from the gateway' },
    ]);
    // The dropped client call is not in the conversation the model continues.
    expect(continuation).not.toContain('call_cli"');
    expect(result.text).toContain('call_cli2');
    expect(result.text).toContain('read_file');
    expect(result.text).not.toContain('mcp_kb__');
    expect(h.interceptions[0]?.toolCalls.map((c) => [c.iteration, c.tool, c.injected])).toEqual([
      [0, 'read_file', false],
      [0, 'echo', true],
      [1, 'read_file', false],
    ]);
  });

  it('an injected tool whose name a client tool holds is renamed for that request', async () => {
    const h = await start(agentic);
    h.upstream.script = () => agentic.profile.success(false);
    const body = withClientTool(agentic, agentic.profile.requestBody(false), 'mcp_kb__echo');
    const result = await call(h, agentic, false, body);
    expect(result.status).toBe(200);
    const declared = declaredTools(h.upstream.requests[0] as SeenRequest);
    expect(declared.filter((name) => name === 'mcp_kb__echo')).toHaveLength(1);
    expect(declared.some((name) => name.startsWith('mcp_kb__echo_'))).toBe(true);
  });

  it('BYOK requests get the tools too, one attempt per iteration', async () => {
    const h = await start(agentic);
    const byok = `sk-byok-${randomBytes(8).toString('hex')}`;
    twoTurns(h, agentic, false, [
      { id: 'call_b', name: 'mcp_kb__echo', arguments: '{"text":"byok"}' },
    ]);
    const response = await request(`${h.url}${agentic.profile.route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...agentic.profile.rawHeaders({
          gatewayUrl: h.url,
          token: TOKEN,
          streaming: false,
          byokKey: byok,
        }),
      },
      body: JSON.stringify(agentic.profile.requestBody(false)),
    });
    expect(response.statusCode).toBe(200);
    expect(agentic.profile.textOfBody(await response.body.json())).toBe(SUCCESS_TEXT);
    expect(h.upstream.keysSeen).toEqual([byok, byok]);
    expect(h.interceptions[0]?.credentialKind).toBe('byok');
  });
});

/** The request with one more tool of the client's own, named `name`. */
function withClientTool(
  agentic: AgenticProfile,
  body: Record<string, unknown>,
  name: string,
): Record<string, unknown> {
  const schema = { type: 'object', properties: {} };
  const tool =
    agentic.profile.name === 'messages'
      ? { name, description: 'the client’s own', input_schema: schema }
      : agentic.profile.name === 'chat'
        ? { type: 'function', function: { name, parameters: schema } }
        : { type: 'function', name, parameters: schema };
  return { ...body, tools: [tool] };
}
