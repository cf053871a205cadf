import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUsage } from './support/anthropic-fixtures.js';
import { agenticProfiles, type AgenticProfile } from './support/agentic-profiles.js';
import { chatUsageOf } from './support/chat-agentic-streams.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import { chatUsage, responsesUsage } from './support/openai-fixtures.js';
import { SUCCESS_TEXT } from './support/profile.js';

/**
 * A two-iteration loop (the model calls the gateway's tool, then answers), streamed, read
 * by each official SDK's own stream helper: it must be one valid message / completion /
 * response with the final answer and the usage of both upstream answers summed.
 */

const CALL = { id: 'call_sdk_0001', name: 'mcp_kb__echo', arguments: '{"text":"42"}' };

let mcp: TestMcpHttpServer;
beforeAll(async () => {
  mcp = await TestMcpHttpServer.start({
    tools: [{ name: 'echo', description: 'Says its text back', behavior: 'echo' }],
  });
});
afterAll(async () => {
  await mcp.stop();
});

async function loopHarness(agentic: AgenticProfile): Promise<Harness> {
  const keys = [`sk-test-sdk-${randomBytes(8).toString('hex')}`];
  const harness = await startHarness({
    providers: [{ ...agentic.profile.provider, keys }],
    extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
  });
  await expect.poll(() => harness.gateway.mcp?.snapshot().isInjected(CALL.name)).toBe(true);
  harness.upstream.script = (seen) =>
    agentic.resultsIn(JSON.parse(seen.body.toString())).length === 0
      ? agentic.toolCall(true, [CALL])
      : agentic.profile.success(true, seen);
  return harness;
}

interface Final {
  readonly text: string | undefined;
  /** input, output as the SDK reports them. */
  readonly usage: readonly [number, number];
  readonly id: string;
}

/** The SDK stream helper's final object, per API. */
const readers: Record<string, (h: Harness) => Promise<Final>> = {
  async messages(h) {
    const client = new Anthropic({
      baseURL: `${h.url}/anthropic`,
      apiKey: TOKEN,
      maxRetries: 0,
    });
    const message = await client.messages
      .stream({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return {
      text,
      usage: [message.usage.input_tokens, message.usage.output_tokens],
      id: message.id,
    };
  },
  async chat(h) {
    const client = new OpenAI({ baseURL: `${h.url}/openai/v1`, apiKey: TOKEN, maxRetries: 0 });
    const completion = await client.chat.completions
      .stream({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'Hi' }],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    return {
      text: completion.choices[0]?.message.content ?? undefined,
      usage: [completion.usage?.prompt_tokens ?? -1, completion.usage?.completion_tokens ?? -1],
      id: completion.id,
    };
  },
  async responses(h) {
    const client = new OpenAI({ baseURL: `${h.url}/openai/v1`, apiKey: TOKEN, maxRetries: 0 });
    const response = await client.responses
      .stream({ model: 'gpt-test', input: 'Hi' })
      .finalResponse();
    return {
      text: response.output_text,
      usage: [response.usage?.input_tokens ?? -1, response.usage?.output_tokens ?? -1],
      id: response.id,
    };
  },
};

/** The fixtures' own numbers: the tool-call answer's usage plus the final answer's. */
const expectedUsage: Record<string, readonly [number, number]> = {
  // The tool_use stream reports input 25 and output 30; the answer input 25, output 12.
  messages: [25 + anthropicUsage.input_tokens, 30 + 12],
  chat: [
    chatUsageOf(31, 12).prompt_tokens + chatUsage.prompt_tokens,
    chatUsageOf(31, 12).completion_tokens + chatUsage.completion_tokens,
  ],
  responses: [2 * responsesUsage.input_tokens, 2 * responsesUsage.output_tokens],
};

describe.each(agenticProfiles)(
  'SDK stream helper over a two-iteration loop: $profile.name',
  (agentic) => {
    it('parses one answer with the final text and the usage summed', async () => {
      const harness = await loopHarness(agentic);
      try {
        const read = readers[agentic.profile.name];
        if (read === undefined) throw new Error(`no reader for ${agentic.profile.name}`);
        const final = await read(harness);
        expect(harness.upstream.requests).toHaveLength(2);
        expect(final.text).toBe(SUCCESS_TEXT);
        expect(final.usage).toEqual(expectedUsage[agentic.profile.name]);
        expect(final.id).not.toBe('');
        const record = harness.interceptions[0];
        expect(record?.outcome).toBe('completed');
        expect(record?.upstreamCalls).toHaveLength(2);
        expect([record?.usage.input, record?.usage.output]).toEqual(
          expectedUsage[agentic.profile.name],
        );
      } finally {
        await harness.close();
      }
    });
  },
);
