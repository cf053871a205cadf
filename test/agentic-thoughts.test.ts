import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatScriptCompletion,
  chatScriptEvents,
  chatUsageOf,
} from './support/chat-agentic-streams.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import type { MockReply } from './support/mock-upstream.js';

/*
 * Through the agentic loop the client gets one answer made of several upstream answers; the
 * record keeps the reasoning of every one of them (with `recording.thoughts` on), and the
 * prompt of the client's request.
 */

let mcp: TestMcpHttpServer;
let dir: string;
beforeAll(async () => {
  mcp = await TestMcpHttpServer.start({
    tools: [{ name: 'echo', description: 'Says its text back', behavior: 'echo' }],
  });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-agentic-thoughts-'));
});
afterAll(async () => {
  await mcp.stop();
  await rm(dir, { recursive: true, force: true });
});

async function start(thoughts: boolean): Promise<Harness> {
  const harness = await startHarness({
    providers: [{ name: 'openai', type: 'openai', keys: ['sk-proj-thoughts-0'] }],
    database: `sqlite:${join(dir, `${String(thoughts)}-${Math.random()}.db`)}`,
    extra: {
      mcp_servers: [{ name: 'kb', url: mcp.url }],
      recording: { prompts: true, thoughts },
    },
  });
  await expect.poll(() => harness.gateway.mcp?.snapshot().tools.length).toBeGreaterThan(0);
  harness.upstream.script = (seen): MockReply => {
    const body = JSON.parse(seen.body.toString()) as { messages: { role: string }[] };
    const streaming = (body as { stream?: boolean }).stream === true;
    const script = body.messages.some((m) => m.role === 'tool')
      ? {
          id: 'chatcmpl-final',
          reasoning: ['Now I ', 'answer.'],
          text: ['Done'],
          usage: chatUsageOf(40, 5),
        }
      : {
          id: 'chatcmpl-tool',
          reasoning: ['Need a tool.'],
          calls: [{ id: 'call_1', name: 'mcp_kb__echo', arguments: ['{"text":"hi"}'] }],
          usage: chatUsageOf(31, 12),
        };
    return streaming
      ? { sse: chatScriptEvents(script) }
      : { status: 200, body: chatScriptCompletion(script) };
  };
  return harness;
}

describe('thoughts through the agentic loop (Chat Completions)', () => {
  for (const streaming of [false, true]) {
    it(`keeps every upstream answer's reasoning, streaming=${String(streaming)}`, async () => {
      for (const thoughts of [true, false]) {
        const harness = await start(thoughts);
        try {
          const response = await request(`${harness.url}/openai/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
            body: JSON.stringify({
              model: 'gpt-test',
              stream: streaming,
              messages: [{ role: 'user', content: 'Use the tool' }],
            }),
          });
          await response.body.text();
          expect(response.statusCode).toBe(200);
          expect(harness.upstream.requests).toHaveLength(2);
          await expect.poll(() => harness.interceptions.length, { timeout: 15_000 }).toBe(1);
          const [record] = harness.interceptions;
          expect(record?.upstreamCalls).toHaveLength(2);
          expect(record?.prompt).toBe('Use the tool');
          expect(record?.thoughts).toBe(thoughts ? 'Need a tool.\n\nNow I answer.' : undefined);
        } finally {
          await harness.close();
        }
      }
    });
  }
});
