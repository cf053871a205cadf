import Anthropic0 from '@anthropic-ai/sdk';
import Anthropic1 from 'anthropic-sdk-v1';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskedHint } from '../src/log/masked-hint.js';
import { anthropicMessage, anthropicStreamEvents } from '../test/support/anthropic-fixtures.js';
import { startHarness, TOKEN, type Harness } from '../test/support/harness.js';
import { RecordingFetch } from './support/recording-fetch.js';
import { expectNoSecretLogged, expectTokenNotForwarded, providerKey } from './support/secrets.js';

/** What every call returns, whichever SDK generation made it. */
interface Outcome {
  readonly text: string;
  readonly stopReason: string | null;
  readonly outputTokens: number | undefined;
}
type CallKind = 'blocking create' | 'streaming create' | 'messages.stream().finalMessage()';
type Calls = Record<CallKind, () => Promise<Outcome>>;

interface Generation {
  readonly name: string;
  /** As the SDK reports itself: proves which package the import resolved to. */
  readonly packageVersion: string;
  /** How this generation presents the caller's credential (the gateway token here). */
  readonly credential: { readonly header: 'x-api-key' | 'authorization'; readonly value: string };
  /** The anthropic-version it sends, which the gateway must pass on as it is. */
  readonly version: RegExp;
  calls(baseURL: string, fetch: RecordingFetch['fetch']): Calls;
}

const ANSWER = 'Both generations get this answer.';
const params = {
  model: 'claude-e2e-model',
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: 'Which answer?' }],
};

const textOf = (content: readonly { type: string; text?: string }[]): string =>
  content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');

/** The message either SDK returns, reduced to what the tests compare. */
const outcomeOf = (message: {
  content: readonly { type: string; text?: string }[];
  stop_reason: string | null;
  usage: { output_tokens: number };
}): Outcome => ({
  text: textOf(message.content),
  stopReason: message.stop_reason,
  outputTokens: message.usage.output_tokens,
});

async function streamedText(
  events: AsyncIterable<{ type: string; delta?: object }>,
): Promise<Outcome> {
  let text = '';
  let stopReason: string | null = null;
  for await (const event of events) {
    const delta = event.delta as { type?: string; text?: string; stop_reason?: string } | undefined;
    if (event.type === 'content_block_delta' && delta?.type === 'text_delta')
      text += delta.text ?? '';
    if (event.type === 'message_delta') stopReason = delta?.stop_reason ?? null;
  }
  return { text, stopReason, outputTokens: undefined };
}

const generations: readonly Generation[] = [
  {
    name: '0.x (@anthropic-ai/sdk 0.137.0)',
    packageVersion: '0.137.0',
    credential: { header: 'x-api-key', value: TOKEN },
    version: /^2023-06-01$/,
    calls(baseURL, fetch) {
      const client = new Anthropic0({ baseURL, apiKey: TOKEN, fetch, maxRetries: 0 });
      return {
        'blocking create': async () => outcomeOf(await client.messages.create(params)),
        'streaming create': async () =>
          streamedText(await client.messages.create({ ...params, stream: true })),
        'messages.stream().finalMessage()': async () =>
          outcomeOf(await client.messages.stream(params).finalMessage()),
      };
    },
  },
  {
    name: '1.x (@anthropic-ai/sdk 1.12.0)',
    packageVersion: '1.12.0',
    credential: { header: 'authorization', value: `Bearer ${TOKEN}` },
    // Some later dated version than the one 0.x pins.
    version: /^(?!2023-06-01)\d{4}-\d{2}-\d{2}$/,
    calls(baseURL, fetch) {
      const client = new Anthropic1({ baseURL, apiKey: TOKEN, fetch, maxRetries: 0 });
      return {
        'blocking create': async () => outcomeOf(await client.messages.create(params)),
        'streaming create': async () =>
          streamedText(await client.messages.create({ ...params, stream: true })),
        'messages.stream().finalMessage()': async () =>
          outcomeOf(await client.messages.stream(params).finalMessage()),
      };
    },
  },
];

const keys = [providerKey('sk-ant', 0), providerKey('sk-ant', 1)] as const;
const gatewayLogs: string[] = [];
let harness: Harness;

beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'anthropic', type: 'anthropic', keys }] });
  harness.upstream.script = (seen) =>
    (JSON.parse(seen.body.toString()) as { stream?: boolean }).stream === true
      ? { sse: anthropicStreamEvents(ANSWER) }
      : { status: 200, body: anthropicMessage(ANSWER) };
});
afterEach(async () => {
  gatewayLogs.push(...harness.logs);
  await harness.close();
});
afterAll(() => {
  expectNoSecretLogged(gatewayLogs, [...keys, TOKEN]);
});

const callKinds: readonly CallKind[] = [
  'blocking create',
  'streaming create',
  'messages.stream().finalMessage()',
];

describe.each(generations)('Anthropic SDK $name through the gateway', (generation) => {
  it.each(callKinds)('%s', async (kind) => {
    const recorder = new RecordingFetch();
    const calls = generation.calls(`${harness.url}/anthropic`, recorder.fetch);

    const outcome = await calls[kind]();

    expect(outcome.text).toBe(ANSWER);
    expect(outcome.stopReason).toBe('end_turn');
    // 12 is what the fixture reports, in the body or in message_delta.
    if (kind !== 'streaming create') expect(outcome.outputTokens).toBe(12);

    const sent = recorder.only();
    expect(sent.headers['x-stainless-package-version']).toBe(generation.packageVersion);
    const other = generation.credential.header === 'x-api-key' ? 'authorization' : 'x-api-key';
    expect(sent.headers[generation.credential.header]).toBe(generation.credential.value);
    expect(sent.headers[other]).toBeUndefined();
    expect(sent.headers['anthropic-version']).toMatch(generation.version);

    const { requests } = harness.upstream;
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/messages']);
    const seen = requests[0];
    expect(seen?.headers['x-api-key']).toBe(keys[0]);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['anthropic-version']).toBe(sent.headers['anthropic-version']);
    expect(seen?.body.toString()).toBe(sent.body);
    expectTokenNotForwarded(requests, TOKEN);
    expect(harness.interceptions).toMatchObject([
      {
        dialect: 'anthropic-messages',
        streaming: kind !== 'blocking create',
        outcome: 'completed',
        keyHint: maskedHint(keys[0]),
        client: { name: 'anthropic-sdk', version: generation.packageVersion, language: 'js' },
      },
    ]);
  });
});
