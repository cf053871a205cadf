import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { dialectProfiles } from './support/dialect-profiles.js';
import { callRaw } from './support/profile.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';

interface BadInput {
  readonly name: string;
  readonly status: number;
  readonly errorType: { anthropic: string; openai: string };
  readonly openaiCode: string | null;
  readonly method?: string;
  readonly path?: (route: string) => string;
  /** The caller's credentials: a valid gateway token unless said otherwise. */
  readonly credential?: 'none' | 'unknown-token' | 'switchyard-token-only' | 'byok';
  readonly body?: () => string | Buffer;
  readonly harness?: 'byok-disabled';
}

const validBody = (model = 'claude-test'): string =>
  JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });

/** Every malformed request the gateway answers itself, in the order the contract checks them. */
const cases: readonly BadInput[] = [
  {
    name: 'unknown route',
    status: 404,
    openaiCode: 'unknown_url',
    errorType: { anthropic: 'not_found_error', openai: 'invalid_request_error' },
    path: (route) => route.replace(/\/v1\/.*/, '/v1/nope'),
    body: () => validBody(),
  },
  {
    name: 'unknown provider prefix',
    status: 404,
    openaiCode: 'unknown_url',
    errorType: { anthropic: 'not_found_error', openai: 'invalid_request_error' },
    path: (route) => route.replace(/^\/[^/]+/, '/no-such-provider'),
    body: () => validBody(),
  },
  {
    name: 'path traversal out of the allow-list',
    status: 404,
    openaiCode: 'unknown_url',
    errorType: { anthropic: 'not_found_error', openai: 'invalid_request_error' },
    method: 'GET',
    path: (route) => route.replace(/\/v1\/.*/, '/v1/models/../../admin'),
  },
  {
    name: 'wrong method on a bridged route',
    status: 405,
    openaiCode: 'method_not_allowed',
    errorType: { anthropic: 'invalid_request_error', openai: 'invalid_request_error' },
    method: 'GET',
  },
  {
    name: 'missing gateway token',
    status: 401,
    openaiCode: 'invalid_api_key',
    errorType: { anthropic: 'authentication_error', openai: 'authentication_error' },
    credential: 'none',
    body: () => validBody(),
  },
  {
    name: 'unknown gateway token',
    status: 401,
    openaiCode: 'invalid_api_key',
    errorType: { anthropic: 'authentication_error', openai: 'authentication_error' },
    credential: 'unknown-token',
    body: () => validBody(),
  },
  {
    name: 'X-Switchyard-Token without a provider credential',
    status: 401,
    openaiCode: 'invalid_api_key',
    errorType: { anthropic: 'authentication_error', openai: 'authentication_error' },
    credential: 'switchyard-token-only',
    body: () => validBody(),
  },
  {
    name: 'BYOK while it is disabled',
    status: 403,
    openaiCode: null,
    errorType: { anthropic: 'permission_error', openai: 'permission_error' },
    credential: 'byok',
    body: () => validBody(),
    harness: 'byok-disabled',
  },
  {
    name: 'body over the default 32 MiB limit',
    status: 413,
    openaiCode: 'request_too_large',
    errorType: { anthropic: 'request_too_large', openai: 'invalid_request_error' },
    body: () => Buffer.alloc(32 * 1024 * 1024 + 1, 0x20),
  },
  {
    name: 'invalid JSON',
    status: 400,
    openaiCode: null,
    errorType: { anthropic: 'invalid_request_error', openai: 'invalid_request_error' },
    body: () => '{"model": "claude-test", ',
  },
  {
    name: 'a JSON array instead of an object',
    status: 400,
    openaiCode: null,
    errorType: { anthropic: 'invalid_request_error', openai: 'invalid_request_error' },
    body: () => '[1,2,3]',
  },
  {
    name: 'missing model',
    status: 400,
    openaiCode: null,
    errorType: { anthropic: 'invalid_request_error', openai: 'invalid_request_error' },
    body: () => JSON.stringify({ max_tokens: 16, messages: [] }),
  },
  {
    name: 'model of the wrong type',
    status: 400,
    openaiCode: null,
    errorType: { anthropic: 'invalid_request_error', openai: 'invalid_request_error' },
    body: () => JSON.stringify({ model: 42, messages: [] }),
  },
];

describe.each(dialectProfiles)('bad input answered in the API error shape: $name', (profile) => {
  let harness: Harness;
  let strict: Harness;
  const keys = [`sk-test-bad-${randomBytes(8).toString('hex')}`];

  beforeAll(async () => {
    harness = await startHarness({ providers: [{ ...profile.provider, keys }] });
    strict = await startHarness({ providers: [{ ...profile.provider, keys }], allowByok: false });
    for (const h of [harness, strict]) h.upstream.script = () => profile.success(false);
  });
  afterAll(async () => {
    await harness.close();
    await strict.close();
  });

  it.each(cases)('$name → $status', async (c) => {
    const target = c.harness === 'byok-disabled' ? strict : harness;
    const family = profile.provider.type;
    const credentialHeader = (value: string): Record<string, string> =>
      family === 'anthropic' ? { 'x-api-key': value } : { authorization: `Bearer ${value}` };
    const credentials: Record<NonNullable<BadInput['credential']>, Record<string, string>> = {
      none: {},
      'unknown-token': credentialHeader('not-a-known-token'),
      'switchyard-token-only': { 'x-switchyard-token': TOKEN },
      byok: { ...credentialHeader('sk-my-own-provider-key-123456'), 'x-switchyard-token': TOKEN },
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(family === 'anthropic' ? { 'anthropic-version': '2023-06-01' } : {}),
      ...(c.credential === undefined ? credentialHeader(TOKEN) : credentials[c.credential]),
    };
    const response = await request(`${target.url}${c.path?.(profile.route) ?? profile.route}`, {
      method: c.method ?? 'POST',
      headers,
      body: c.body?.(),
    });
    const body = await response.body.json();
    expect(response.statusCode).toBe(c.status);
    expect(response.headers['content-type']).toBe('application/json');
    if (family === 'anthropic') {
      expect(body).toEqual({
        type: 'error',
        error: { type: c.errorType.anthropic, message: expect.any(String) as string },
      });
    } else {
      expect(body).toEqual({
        error: {
          message: expect.any(String) as string,
          type: c.errorType.openai,
          param: null,
          code: c.openaiCode,
        },
      });
    }
    if (c.status === 405) expect(response.headers['allow']).toBe('POST');
    expect(target.upstream.requests).toHaveLength(0);
  });

  it('keeps serving after all of that', async () => {
    const outcome = await callRaw(profile, {
      gatewayUrl: harness.url,
      token: TOKEN,
      streaming: false,
    });
    expect(outcome.status).toBe(200);
  });
});
