import { calcPrice } from '@pydantic/genai-prices';
import Anthropic from '@anthropic-ai/sdk';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InterceptionObserver } from '../src/interception/observer.js';
import { maskedHint } from '../src/log/masked-hint.js';
import { anthropicMessage, anthropicUsage } from './support/anthropic-fixtures.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import type { SeenRequest } from './support/mock-upstream.js';
import { chatCompletion, chatUsage, responseObject } from './support/openai-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { parseSamples, scrape, sumOf } from './support/prometheus-text.js';

/*
 * Costs and texts in the record, end to end through the official SDKs and the real gateway
 * into SQLite and PostgreSQL: a model priced from the maintained table (checked against the
 * table's own figure, computed here), a `prices:` override winning over the table, an
 * unknown model reported unpriced in the record and in the usage API; the last user prompt
 * and the thoughts kept with `recording.prompts`/`recording.thoughts` on, and not kept off.
 */

const OVERRIDE = { input: 100, output: 200, cache_read: 50 };

interface Engine {
  readonly name: string;
  database(dir: string): Promise<{ setting: string; drop: () => Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    database: (dir) =>
      Promise.resolve({
        setting: `sqlite:${join(dir, `${Math.random()}.db`)}`,
        drop: () => Promise.resolve(),
      }),
  },
  {
    name: 'postgres',
    async database() {
      const db: TestDatabase = await createTestDatabase();
      return { setting: db.url, drop: db.drop };
    },
  },
];

/** What the mock upstream answers: by path and model, each with thoughts in its API's shape. */
function upstreamAnswer(seen: SeenRequest): ReturnType<Harness['upstream']['script']> {
  const body = JSON.parse(seen.body.toString()) as { model: string; stream?: boolean };
  if (seen.url.startsWith('/v1/messages')) {
    return {
      status: 200,
      body: {
        ...anthropicMessage('Answer'),
        model: body.model,
        content: [
          { type: 'thinking', thinking: 'Pondering the question.', signature: 'sig' },
          { type: 'text', text: 'Answer' },
        ],
      },
    };
  }
  if (seen.url.startsWith('/v1/chat/completions') && body.stream === true) {
    const base = {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: body.model,
    };
    const chunk = (choices: unknown[], extra: object = {}): string =>
      `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
    return {
      sse: [
        chunk([
          {
            index: 0,
            delta: { role: 'assistant', content: '', reasoning_content: 'Step one, ' },
            finish_reason: null,
          },
        ]),
        chunk([{ index: 0, delta: { reasoning_content: 'step two.' }, finish_reason: null }]),
        chunk([{ index: 0, delta: { content: 'Answer' }, finish_reason: null }]),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
        chunk([], { usage: chatUsage }),
        'data: [DONE]\n\n',
      ],
    };
  }
  if (seen.url.startsWith('/v1/chat/completions')) {
    return { status: 200, body: { ...chatCompletion('Answer'), model: body.model } };
  }
  const answer = responseObject('Answer');
  return {
    status: 200,
    body: {
      ...answer,
      model: body.model,
      output: [
        {
          id: 'rs_1',
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Weighing options.' }],
        },
        ...(answer['output'] as unknown[]).slice(1),
      ],
    },
  };
}

async function admin(url: string): Promise<Record<string, unknown>> {
  const response = await request(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = (await response.body.json()) as Record<string, unknown>;
  expect(response.statusCode, JSON.stringify(body)).toBe(200);
  return body;
}

/** The requests every gateway below gets, each returning its x-switchyard-request-id. */
async function sendAll(url: string): Promise<Record<string, string>> {
  const anthropic = new Anthropic({ baseURL: `${url}/anthropic`, apiKey: TOKEN, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${url}/openai/v1`, apiKey: TOKEN, maxRetries: 0 });
  const ids: Record<string, string> = {};
  const idOf = (headers: Headers): string => headers.get('x-switchyard-request-id') ?? '';

  const table = await anthropic.messages
    .create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'How much is this?' }],
    })
    .withResponse();
  ids['table'] = idOf(table.response.headers);

  const override = await openai.chat.completions
    .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Override me' }] })
    .withResponse();
  ids['override'] = idOf(override.response.headers);

  const streamed = await openai.chat.completions
    .create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'Stream it' }],
    })
    .withResponse();
  const chunks: unknown[] = [];
  for await (const chunk of streamed.data) chunks.push(chunk);
  expect(chunks.length).toBeGreaterThan(0);
  ids['streamed'] = idOf(streamed.response.headers);

  const unknown = await openai.responses
    .create({ model: 'mystery-model-x', input: 'Who prices me?' })
    .withResponse();
  ids['unknown'] = idOf(unknown.response.headers);
  for (const id of Object.values(ids)) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return ids;
}

/** SQLite's writer thread starts with the first batch; on a loaded machine that takes a while. */
const RECORDED = { timeout: 15_000, interval: 50 };

describe.each(engines)('costs and texts in the record over $name', (engine) => {
  let dir: string;
  const drops: (() => Promise<void>)[] = [];
  const harnesses: Harness[] = [];
  const observedCosts = new Map<string, number | undefined>();
  const costObserver: InterceptionObserver = {
    start: (start) => ({
      end: (end) => {
        observedCosts.set(start.id, end.record?.costUsd);
      },
    }),
  };

  async function gateway(recording: Record<string, unknown>): Promise<Harness> {
    const database = await engine.database(dir);
    drops.push(database.drop);
    const harness = await startHarness({
      providers: [
        { name: 'anthropic', type: 'anthropic', keys: ['sk-ant-costs-0'] },
        { name: 'openai', type: 'openai', keys: ['sk-proj-costs-0'] },
      ],
      database: database.setting,
      extra: { recording, prices: { 'openai/gpt-4o': OVERRIDE } },
      observers: [costObserver],
    });
    harness.upstream.script = upstreamAnswer;
    harnesses.push(harness);
    return harness;
  }

  async function recorded(
    harness: Harness,
    ids: Record<string, string>,
  ): Promise<Record<string, Record<string, unknown>>> {
    const wanted = Object.values(ids);
    await expect
      .poll(async () => {
        const list = await admin(`${harness.url}/admin/api/interceptions?limit=50`);
        return (list['items'] as { id: string }[]).filter((i) => wanted.includes(i.id)).length;
      }, RECORDED)
      .toBe(wanted.length);
    const details: Record<string, Record<string, unknown>> = {};
    for (const [name, id] of Object.entries(ids))
      details[name] = await admin(`${harness.url}/admin/api/interceptions/${id}`);
    return details;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-costs-'));
  });

  afterAll(async () => {
    for (const harness of harnesses) await harness.close();
    for (const drop of drops) await drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prices from the table, lets an override win, reports an unknown model unpriced', async () => {
    const harness = await gateway({ prompts: true, thoughts: true });
    const ids = await sendAll(harness.url);
    const details = await recorded(harness, ids);

    // The table's own figures, computed here from the usage the mock reported. Anthropic
    // counts cached input apart; the table wants the whole input.
    const sonnet = calcPrice(
      {
        input_tokens:
          anthropicUsage.input_tokens +
          anthropicUsage.cache_read_input_tokens +
          anthropicUsage.cache_creation_input_tokens,
        output_tokens: anthropicUsage.output_tokens,
        cache_read_tokens: anthropicUsage.cache_read_input_tokens,
        cache_write_tokens: anthropicUsage.cache_creation_input_tokens,
      },
      'claude-sonnet-4-5',
      { providerId: 'anthropic' },
    )?.total_price;
    const mini = calcPrice(
      {
        input_tokens: chatUsage.prompt_tokens,
        output_tokens: chatUsage.completion_tokens,
        cache_read_tokens: chatUsage.prompt_tokens_details.cached_tokens,
      },
      'gpt-4o-mini',
      { providerId: 'openai' },
    )?.total_price;
    expect(sonnet).toBeGreaterThan(0);
    expect(mini).toBeGreaterThan(0);
    expect(details['table']?.['cost_usd']).toBeCloseTo(sonnet ?? -1, 12);
    expect(details['streamed']?.['cost_usd']).toBeCloseTo(mini ?? -1, 12);

    const cached = chatUsage.prompt_tokens_details.cached_tokens;
    const overridden =
      ((chatUsage.prompt_tokens - cached) * OVERRIDE.input +
        cached * OVERRIDE.cache_read +
        chatUsage.completion_tokens * OVERRIDE.output) /
      1e6;
    const gpt4o = calcPrice(
      {
        input_tokens: chatUsage.prompt_tokens,
        output_tokens: chatUsage.completion_tokens,
        cache_read_tokens: cached,
      },
      'gpt-4o',
      { providerId: 'openai' },
    )?.total_price;
    expect(gpt4o, 'the table prices gpt-4o differently').not.toBeCloseTo(overridden, 6);
    expect(details['override']?.['cost_usd']).toBeCloseTo(overridden, 12);

    expect(details['unknown']?.['cost_usd']).toBeNull();

    // The list shows the same costs, and observers (metrics) saw them at the end.
    const list = (await admin(`${harness.url}/admin/api/interceptions?limit=50`))['items'] as {
      id: string;
      cost_usd: number | null;
    }[];
    for (const [name, id] of Object.entries(ids)) {
      const item = list.find((i) => i.id === id);
      expect(item?.cost_usd, name).toBe(details[name]?.['cost_usd']);
      expect(observedCosts.get(id) ?? null, name).toBe(details[name]?.['cost_usd']);
    }

    // The metrics export the same costs; an unpriced model has none.
    const samples = parseSamples((await scrape(harness.url)).text);
    const cost = (model: string): number => sumOf(samples, 'switchyard_cost_usd_total', { model });
    expect(cost('claude-sonnet-4-5')).toBeCloseTo(sonnet ?? -1, 12);
    expect(cost('gpt-4o')).toBeCloseTo(overridden, 12);
    expect(cost('gpt-4o-mini')).toBeCloseTo(mini ?? -1, 12);
    expect(
      samples.some(
        (x) => x.labels['model'] === 'mystery-model-x' && x.name === 'switchyard_cost_usd_total',
      ),
    ).toBe(false);

    // The usage API: costs summed per model, the unknown one counted as unpriced.
    const usage = (await admin(`${harness.url}/admin/api/usage?group_by=model`))['groups'] as {
      key: string;
      requests: number;
      cost_usd: number | null;
      unpriced: number;
    }[];
    const group = (key: string): (typeof usage)[number] | undefined =>
      usage.find((g) => g.key === key);
    expect(group('mystery-model-x')).toMatchObject({ requests: 1, cost_usd: null, unpriced: 1 });
    expect(group('claude-sonnet-4-5')).toMatchObject({ requests: 1, unpriced: 0 });
    expect(group('claude-sonnet-4-5')?.cost_usd).toBeCloseTo(sonnet ?? -1, 12);
    expect(group('gpt-4o')?.cost_usd).toBeCloseTo(overridden, 12);
    const byProvider = (await admin(`${harness.url}/admin/api/usage?group_by=provider`))[
      'groups'
    ] as {
      key: string;
      cost_usd: number | null;
      unpriced: number;
    }[];
    const openai = byProvider.find((g) => g.key === 'openai');
    expect(openai?.unpriced).toBe(1);
    expect(openai?.cost_usd).toBeCloseTo(overridden + (mini ?? 0), 12);
  });

  it('keeps the last user prompt and the thoughts when recording says so', async () => {
    const harness = await gateway({ prompts: true, thoughts: true });
    const ids = await sendAll(harness.url);
    const details = await recorded(harness, ids);
    expect(details['table']).toMatchObject({
      prompt: 'How much is this?',
      thoughts: 'Pondering the question.',
      client_version: expect.any(String) as unknown,
    });
    expect(details['override']).toMatchObject({ prompt: 'Override me', thoughts: null });
    expect(details['streamed']).toMatchObject({
      prompt: 'Stream it',
      thoughts: 'Step one, step two.',
    });
    expect(details['unknown']).toMatchObject({
      prompt: 'Who prices me?',
      thoughts: 'Weighing options.',
    });
    // Never in the log, which is not covered by the recording switches.
    const log = harness.logs.join('\n');
    expect(log).not.toContain('Pondering the question.');
    expect(log).not.toContain('How much is this?');
  });

  it('keeps a credential quoted in a prompt as its hint only', async () => {
    const harness = await gateway({ prompts: true, thoughts: true });
    const openai = new OpenAI({
      baseURL: `${harness.url}/openai/v1`,
      apiKey: TOKEN,
      maxRetries: 0,
    });
    const quoted = `my token is ${TOKEN} and the key sk-proj-costs-0, keep them safe`;
    const { response } = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: quoted }] })
      .withResponse();
    const id = response.headers.get('x-switchyard-request-id') ?? '';
    const details = await recorded(harness, { quoted: id });
    const prompt = String(details['quoted']?.['prompt']);
    expect(prompt).not.toContain(TOKEN);
    expect(prompt).not.toContain('sk-proj-costs-0');
    expect(prompt).toBe(
      `my token is ${maskedHint(TOKEN)} and the key ${maskedHint('sk-proj-costs-0')}, keep them safe`,
    );
  });

  it('keeps neither when both are off', async () => {
    const harness = await gateway({ prompts: false, thoughts: false });
    const ids = await sendAll(harness.url);
    const details = await recorded(harness, ids);
    for (const [name, detail] of Object.entries(details)) {
      expect(detail, name).toMatchObject({ prompt: null, thoughts: null });
    }
    // Nor does any sink get them: they are not read at all.
    for (const id of Object.values(ids)) {
      const record = harness.interceptions.find((i) => i.id === id);
      expect(record).toBeDefined();
      expect(record?.prompt).toBeUndefined();
      expect(record?.thoughts).toBeUndefined();
    }
  });

  it('keeps the prompt alone when thoughts are off (the default)', async () => {
    const harness = await gateway({});
    const ids = await sendAll(harness.url);
    const details = await recorded(harness, ids);
    expect(details['table']).toMatchObject({ prompt: 'How much is this?', thoughts: null });
    expect(details['streamed']).toMatchObject({ prompt: 'Stream it', thoughts: null });
  });
});
