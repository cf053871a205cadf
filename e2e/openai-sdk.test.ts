import OpenAI from 'openai';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DialectId } from '../src/dialects/dialect.js';
import { maskedHint } from '../src/log/masked-hint.js';
import { startHarness, TOKEN, type Harness } from '../test/support/harness.js';
import type { MockReply, SeenRequest } from '../test/support/mock-upstream.js';
import {
  chatCompletion,
  chatStreamEvents,
  responseObject,
  responsesStreamEvents,
} from '../test/support/openai-fixtures.js';
import { RecordingFetch } from './support/recording-fetch.js';
import { expectNoSecretLogged, expectTokenNotForwarded, providerKey } from './support/secrets.js';

const ANSWER = 'The OpenAI SDK gets this answer.';

/** What a call returns: the text and how the API said it ended (finish_reason, status). */
interface Outcome {
  readonly text: string | null | undefined;
  readonly ended: string | null | undefined;
  /** Chunks that carried usage, which this client did not ask for. */
  readonly usageChunks?: number;
}

interface Case {
  readonly name: string;
  readonly path: '/v1/chat/completions' | '/v1/responses';
  readonly dialect: DialectId;
  readonly streaming: boolean;
  readonly expected: Outcome;
  /**
   * The gateway's one documented edit of a body: a chat stream always asks the provider for
   * usage (for recording), and the extra chunk is hidden from a client that did not ask.
   */
  readonly upstreamAdds?: Record<string, unknown>;
  call(client: OpenAI): Promise<Outcome>;
}

const chatParams = {
  model: 'gpt-e2e-model',
  messages: [{ role: 'user' as const, content: 'Which answer?' }],
};
const responsesParams = { model: 'gpt-e2e-model', input: 'Which answer?' };

const cases: readonly Case[] = [
  {
    name: 'chat.completions.create',
    path: '/v1/chat/completions',
    dialect: 'openai-chat',
    streaming: false,
    expected: { text: ANSWER, ended: 'stop' },
    async call(client) {
      const completion = await client.chat.completions.create(chatParams);
      const choice = completion.choices[0];
      return { text: choice?.message.content, ended: choice?.finish_reason };
    },
  },
  {
    name: 'chat.completions.create({ stream: true })',
    path: '/v1/chat/completions',
    dialect: 'openai-chat',
    streaming: true,
    expected: { text: ANSWER, ended: 'stop', usageChunks: 0 },
    upstreamAdds: { stream_options: { include_usage: true } },
    async call(client) {
      const stream = await client.chat.completions.create({ ...chatParams, stream: true });
      let text = '';
      let ended: string | null | undefined;
      let usageChunks = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        ended = chunk.choices[0]?.finish_reason ?? ended;
        if (chunk.usage != null) usageChunks++;
      }
      return { text, ended, usageChunks };
    },
  },
  {
    name: 'chat.completions.stream().finalChatCompletion()',
    path: '/v1/chat/completions',
    dialect: 'openai-chat',
    streaming: true,
    expected: { text: ANSWER, ended: 'stop' },
    upstreamAdds: { stream_options: { include_usage: true } },
    async call(client) {
      const completion = await client.chat.completions.stream(chatParams).finalChatCompletion();
      const choice = completion.choices[0];
      return { text: choice?.message.content, ended: choice?.finish_reason };
    },
  },
  {
    name: 'responses.create',
    path: '/v1/responses',
    dialect: 'openai-responses',
    streaming: false,
    expected: { text: ANSWER, ended: 'completed' },
    async call(client) {
      const response = await client.responses.create(responsesParams);
      return { text: response.output_text, ended: response.status };
    },
  },
  {
    name: 'responses.stream().finalResponse()',
    path: '/v1/responses',
    dialect: 'openai-responses',
    streaming: true,
    expected: { text: ANSWER, ended: 'completed' },
    async call(client) {
      const response = await client.responses.stream(responsesParams).finalResponse();
      return { text: response.output_text, ended: response.status };
    },
  },
];

function reply(seen: SeenRequest): MockReply {
  const body = JSON.parse(seen.body.toString()) as {
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
  };
  if (seen.url.startsWith('/v1/responses'))
    return body.stream === true
      ? { sse: responsesStreamEvents(ANSWER) }
      : { status: 200, body: responseObject(ANSWER) };
  return body.stream === true
    ? { sse: chatStreamEvents(ANSWER, body.stream_options?.include_usage === true) }
    : { status: 200, body: chatCompletion(ANSWER) };
}

const keys = [providerKey('sk-oai', 0), providerKey('sk-oai', 1)] as const;
const gatewayLogs: string[] = [];
let harness: Harness;

beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'openai', type: 'openai', keys }] });
  harness.upstream.script = reply;
});
afterEach(async () => {
  gatewayLogs.push(...harness.logs);
  await harness.close();
});
afterAll(() => {
  expectNoSecretLogged(gatewayLogs, [...keys, TOKEN]);
});

describe('openai SDK 6.49.0 through the gateway', () => {
  it.each(cases)('$name', async (testCase) => {
    const recorder = new RecordingFetch();
    const client = new OpenAI({
      baseURL: `${harness.url}/openai/v1`,
      apiKey: TOKEN,
      fetch: recorder.fetch,
      maxRetries: 0,
    });

    const outcome = await testCase.call(client);

    expect(outcome).toEqual(testCase.expected);
    const sent = recorder.only();
    expect(sent.headers['x-stainless-package-version']).toBe('6.49.0');
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const { requests } = harness.upstream;
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${testCase.path}`]);
    const seen = requests[0];
    expect(seen?.headers.authorization).toBe(`Bearer ${keys[0]}`);
    expect(seen?.headers['x-api-key']).toBeUndefined();
    if (testCase.upstreamAdds === undefined) expect(seen?.body.toString()).toBe(sent.body);
    else
      expect(JSON.parse(seen?.body.toString() ?? '')).toEqual({
        ...(JSON.parse(sent.body) as object),
        ...testCase.upstreamAdds,
      });
    expect((JSON.parse(sent.body) as { stream?: boolean }).stream === true).toBe(
      testCase.streaming,
    );
    expectTokenNotForwarded(requests, TOKEN);
    expect(harness.interceptions).toMatchObject([
      {
        dialect: testCase.dialect,
        streaming: testCase.streaming,
        outcome: 'completed',
        keyHint: maskedHint(keys[0]),
        client: { name: 'openai-sdk', version: '6.49.0', language: 'js' },
      },
    ]);
  });
});
