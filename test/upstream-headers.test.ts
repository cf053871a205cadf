import { randomBytes } from 'node:crypto';
import Anthropic, { AuthenticationError as AnthropicAuthenticationError } from '@anthropic-ai/sdk';
import OpenAI, { AuthenticationError as OpenAIAuthenticationError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicMessage } from './support/anthropic-fixtures.js';
import { startHarness, TOKEN, type Harness, type HarnessOptions } from './support/harness.js';
import type { SeenRequest } from './support/mock-upstream.js';
import { chatCompletion, chatStreamEvents, responseObject } from './support/openai-fixtures.js';

const anthropicKeys = [0, 1].map(
  (i) => `sk-test-anthropic-${i}-${randomBytes(10).toString('hex')}`,
);
const openaiKeys = [0, 1].map((i) => `sk-test-openai-${i}-${randomBytes(10).toString('hex')}`);
const BYOK = `sk-byok-own-${randomBytes(10).toString('hex')}`;
/** A second user's token: refusing only the caller's own token would not be enough. */
const BOB_TOKEN = `sy-test-gateway-token-bob-${randomBytes(10).toString('hex')}`;
const SECRETS = [TOKEN, BOB_TOKEN, BYOK, ...anthropicKeys, ...openaiKeys];

const ORG = 'org-client-chosen';
const PROJECT = 'proj_client_chosen';
const WORKSPACE = 'wrkspc_client_chosen';
const USER_PROFILE = 'uprof_client_chosen';

/** What a proxy in front of the gateway, or the client itself, says about the client. */
const clientAddress = {
  'x-forwarded-for': '198.51.100.7, 10.0.0.2',
  forwarded: 'for=198.51.100.7;proto=https;host=ai.example.internal',
  'x-real-ip': '198.51.100.7',
  'x-forwarded-host': 'ai.example.internal',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'x-client-ip': '198.51.100.7',
  'true-client-ip': '198.51.100.7',
  'cf-connecting-ip': '198.51.100.7',
  'x-cluster-client-ip': '198.51.100.7',
  'fastly-client-ip': '198.51.100.7',
  via: '1.1 edge-proxy',
};

let harness: Harness | undefined;

async function start(options: HarnessOptions = {}): Promise<Harness> {
  const started = await startHarness({
    providers: [
      { name: 'anthropic', type: 'anthropic', keys: anthropicKeys },
      { name: 'openai', type: 'openai', keys: openaiKeys },
    ],
    tokens: [
      { user: 'alice', token: TOKEN },
      { user: 'bob', token: BOB_TOKEN },
    ],
    ...options,
  });
  started.upstream.script = (seen) => {
    const path = seen.url.split('?')[0];
    const streaming = seen.method === 'POST' && seen.body.toString().includes('"stream":true');
    if (path === '/v1/messages') return { status: 200, body: anthropicMessage() };
    if (path === '/v1/messages/count_tokens') return { status: 200, body: { input_tokens: 7 } };
    if (path === '/v1/chat/completions')
      return streaming
        ? { sse: chatStreamEvents('Hi there', true) }
        : { status: 200, body: chatCompletion('Hi there') };
    if (path === '/v1/responses') return { status: 200, body: responseObject('Hi there') };
    return { status: 200, body: { object: 'list', data: [{ id: 'model-test', object: 'model' }] } };
  };
  harness = started;
  return started;
}

afterEach(async () => {
  if (harness === undefined) return;
  const { logs } = harness;
  await harness.close();
  harness = undefined;
  // Every test here handles a gateway token, pool keys or a BYOK key: none may be logged.
  expect(logs.length).toBeGreaterThan(0);
  const text = logs.join('\n');
  for (const secret of SECRETS) expect(text).not.toContain(secret);
});

function upstreamRequests(h: Harness): readonly SeenRequest[] {
  return h.upstream.requests;
}

function openaiClient(h: Harness, byok: boolean): OpenAI {
  return new OpenAI({
    baseURL: `${h.url}/openai/v1`,
    apiKey: byok ? BYOK : TOKEN,
    organization: ORG,
    project: PROJECT,
    maxRetries: 0,
    defaultHeaders: byok ? { 'X-Switchyard-Token': TOKEN } : {},
  });
}

/** The SDK calls one test makes: both bridged APIs and a passthrough route. */
async function openaiCalls(client: OpenAI): Promise<void> {
  const chat = await client.chat.completions.create({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'Hi' }],
  });
  expect(chat.choices[0]?.message.content).toBe('Hi there');
  const stream = await client.chat.completions.create({
    model: 'gpt-test',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Hi' }],
  });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
  expect(streamed).toBe('Hi there');
  const response = await client.responses.create({ model: 'gpt-test', input: 'Hi' });
  expect(response.output_text).toBe('Hi there');
  const models = await client.models.list();
  expect(models.data.map((m) => m.id)).toEqual(['model-test']);
}

const OPENAI_PATHS = [
  '/v1/chat/completions',
  '/v1/chat/completions',
  '/v1/responses',
  '/v1/models',
];

describe('OpenAI organisation and project (official openai SDK options)', () => {
  it('are dropped when a pool key pays: the pool key’s own organisation and project apply', async () => {
    const h = await start();
    await openaiCalls(openaiClient(h, false));
    const seen = upstreamRequests(h);
    expect(seen.map((r) => r.url.split('?')[0])).toEqual(OPENAI_PATHS);
    for (const r of seen) {
      expect(r.headers['openai-organization']).toBeUndefined();
      expect(r.headers['openai-project']).toBeUndefined();
      expect(r.headers.authorization).toBe(`Bearer ${openaiKeys[0]}`);
    }
    expect(h.interceptions.map((i) => i.credentialKind)).toEqual(Array(3).fill('centralized'));
  });

  it('pass unchanged with BYOK', async () => {
    const h = await start();
    await openaiCalls(openaiClient(h, true));
    const seen = upstreamRequests(h);
    expect(seen.map((r) => r.url.split('?')[0])).toEqual(OPENAI_PATHS);
    for (const r of seen) {
      expect(r.headers['openai-organization']).toBe(ORG);
      expect(r.headers['openai-project']).toBe(PROJECT);
      expect(r.headers.authorization).toBe(`Bearer ${BYOK}`);
      expect(r.headers['x-switchyard-token']).toBeUndefined();
    }
    expect(h.interceptions.map((i) => i.credentialKind)).toEqual(Array(3).fill('byok'));
  });
});

describe('Anthropic workspace and user profile (official @anthropic-ai/sdk header params)', () => {
  async function anthropicCalls(h: Harness, byok: boolean): Promise<void> {
    const client = new Anthropic({
      baseURL: `${h.url}/anthropic`,
      apiKey: byok ? BYOK : TOKEN,
      maxRetries: 0,
      defaultHeaders: byok ? { 'X-Switchyard-Token': TOKEN } : {},
    });
    const scope = { workspace_id: WORKSPACE, user_profile_id: USER_PROFILE };
    const message = await client.messages.create({
      model: 'claude-test',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
      ...scope,
    });
    expect(message.type).toBe('message');
    const counted = await client.messages.countTokens({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'Hi' }],
      ...scope,
    });
    expect(counted.input_tokens).toBe(7);
    expect(upstreamRequests(h).map((r) => r.url.split('?')[0])).toEqual([
      '/v1/messages',
      '/v1/messages/count_tokens',
    ]);
  }

  it('are dropped when a pool key pays', async () => {
    const h = await start();
    await anthropicCalls(h, false);
    for (const r of upstreamRequests(h)) {
      expect(r.headers['anthropic-workspace-id']).toBeUndefined();
      expect(r.headers['anthropic-user-profile-id']).toBeUndefined();
      expect(r.headers['x-api-key']).toBe(anthropicKeys[0]);
    }
  });

  it('pass unchanged with BYOK', async () => {
    const h = await start();
    await anthropicCalls(h, true);
    for (const r of upstreamRequests(h)) {
      expect(r.headers['anthropic-workspace-id']).toBe(WORKSPACE);
      expect(r.headers['anthropic-user-profile-id']).toBe(USER_PROFILE);
      expect(r.headers.authorization).toBe(`Bearer ${BYOK}`);
    }
  });
});

const routes = [
  { family: 'anthropic', method: 'POST', path: '/anthropic/v1/messages' },
  { family: 'anthropic', method: 'GET', path: '/anthropic/v1/models' },
  { family: 'openai', method: 'POST', path: '/openai/v1/chat/completions' },
  { family: 'openai', method: 'POST', path: '/openai/v1/responses' },
  { family: 'openai', method: 'GET', path: '/openai/v1/models' },
] as const;

function bodyFor(path: string): string | undefined {
  if (path.endsWith('/messages'))
    return '{"model":"claude-test","max_tokens":16,"messages":[{"role":"user","content":"Hi"}]}';
  if (path.endsWith('/chat/completions'))
    return '{"model":"gpt-test","messages":[{"role":"user","content":"Hi"}]}';
  if (path.endsWith('/responses')) return '{"model":"gpt-test","input":"Hi"}';
  return undefined;
}

async function send(
  h: Harness,
  route: (typeof routes)[number],
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const body = bodyFor(route.path);
  const response = await request(`${h.url}${route.path}`, {
    method: route.method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(route.family === 'anthropic' ? { 'anthropic-version': '2023-06-01' } : {}),
      ...headers,
    },
    body,
  });
  return { status: response.statusCode, body: await response.body.json() };
}

describe('a gateway token offered as the BYOK credential', () => {
  const forms = [
    { name: 'x-api-key', header: (t: string) => ({ 'x-api-key': t }), where: 'x-api-key' },
    {
      name: 'Authorization: Bearer',
      header: (t: string) => ({ authorization: `Bearer ${t}` }),
      where: 'Authorization',
    },
  ];
  const offered = [
    { name: 'the caller’s own', token: TOKEN },
    { name: 'another user’s', token: BOB_TOKEN },
  ];

  it.each(routes)(
    '$method $path: 401 in the API’s error shape, nothing reaches the provider',
    async (route) => {
      const h = await start();
      for (const form of forms) {
        for (const { token } of offered) {
          const { status, body } = await send(h, route, {
            'x-switchyard-token': TOKEN,
            ...form.header(token),
          });
          expect(status).toBe(401);
          const message = `the provider credential in ${form.where} is a gateway token: send your own provider key there, and the gateway token only in X-Switchyard-Token`;
          expect(body).toEqual(
            route.family === 'anthropic'
              ? { type: 'error', error: { type: 'authentication_error', message } }
              : {
                  error: {
                    message,
                    type: 'authentication_error',
                    param: null,
                    code: 'invalid_api_key',
                  },
                },
          );
        }
      }
      expect(upstreamRequests(h)).toHaveLength(0);
      const rejected = h.logs.filter((line) => line.includes('"msg":"rejected"'));
      expect(rejected).toHaveLength(forms.length * offered.length);
    },
  );

  it('also through the official SDKs, which see an authentication error', async () => {
    const h = await start();
    const openai = new OpenAI({
      baseURL: `${h.url}/openai/v1`,
      apiKey: TOKEN,
      maxRetries: 0,
      defaultHeaders: { 'X-Switchyard-Token': TOKEN },
    });
    await expect(
      openai.chat.completions.create({ model: 'gpt-test', messages: [] }),
    ).rejects.toBeInstanceOf(OpenAIAuthenticationError);
    const anthropic = new Anthropic({
      baseURL: `${h.url}/anthropic`,
      apiKey: BOB_TOKEN,
      maxRetries: 0,
      defaultHeaders: { 'X-Switchyard-Token': TOKEN },
    });
    await expect(
      anthropic.messages.create({ model: 'claude-test', max_tokens: 16, messages: [] }),
    ).rejects.toBeInstanceOf(AnthropicAuthenticationError);
    expect(upstreamRequests(h)).toHaveLength(0);
  });
});

describe('client address headers', () => {
  const credentials = {
    pool: { 'x-api-key': TOKEN },
    byok: { 'x-switchyard-token': TOKEN, 'x-api-key': BYOK },
  };

  async function sendAll(h: Harness): Promise<void> {
    for (const route of routes) {
      for (const credential of Object.values(credentials)) {
        const { status } = await send(h, route, {
          ...clientAddress,
          ...credential,
          'x-client-marker': 'kept',
        });
        expect(status).toBe(200);
      }
    }
    expect(upstreamRequests(h)).toHaveLength(routes.length * 2);
  }

  it('do not reach the provider by default', async () => {
    const h = await start();
    await sendAll(h);
    for (const r of upstreamRequests(h)) {
      for (const name of Object.keys(clientAddress)) expect(r.headers[name]).toBeUndefined();
      // Everything else still goes through.
      expect(r.headers['x-client-marker']).toBe('kept');
    }
  });

  it('pass unchanged with forward_client_ip: true', async () => {
    const h = await start({ extra: { forward_client_ip: true } });
    await sendAll(h);
    for (const r of upstreamRequests(h)) {
      for (const [name, value] of Object.entries(clientAddress))
        expect(r.headers[name]).toBe(value);
    }
  });
});
