import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatProfile, responsesProfile } from './support/openai-profiles.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { exchange } from './support/raw-exchange.js';

const RUNS = 10_000;

const ROUTES = [
  '/anthropic/v1/messages',
  '/anthropic/v1/messages/count_tokens',
  '/anthropic/v1/models',
  '/anthropic/v1/models/claude-test',
  '/openai/v1/chat/completions',
  '/openai/v1/responses',
  '/openai/v1/responses/resp_1',
  '/openai/v1/responses/resp_1/cancel',
  '/openai/v1/models',
  '/admin/api/providers',
  '/admin/api/providers/anthropic/keys/0/enable',
  '/healthz',
  '/readyz',
  '/',
];

const segment = fc.oneof(
  fc.constantFrom(
    'anthropic',
    'openai',
    'v1',
    'messages',
    'chat',
    'completions',
    'responses',
    'models',
    'admin',
    '..',
    '.',
    '%2e%2e',
    '%2F',
    '',
    'count_tokens',
  ),
  fc.stringMatching(/^[A-Za-z0-9._~%:@!$&'()*+,;=-]{0,16}$/),
);

const path = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { maxLength: 3 }))
    .map(([route, rest]) => [route, ...rest].join('/')),
  fc.array(segment, { maxLength: 6 }).map((segments) => `/${segments.join('/')}`),
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.stringMatching(/^[A-Za-z0-9=&%+._-]{0,30}$/))
    .map(([route, query]) => `${route}?${query}`),
);

const method = fc.constantFrom(
  'GET',
  'POST',
  'POST',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'PROPFIND',
  'get',
);

const token = fc.oneof(
  fc.constant(TOKEN),
  fc.constant(ADMIN_TOKEN),
  fc.stringMatching(/^[\x21-\x7e]{0,40}$/),
);

const headers = fc.record(
  {
    'x-api-key': token,
    authorization: fc.oneof(
      token.map((t) => `Bearer ${t}`),
      fc.constantFrom('Bearer', 'Basic abc', 'bearer  x', ''),
    ),
    'x-switchyard-token': token,
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-8',
      'multipart/form-data; boundary=x',
    ),
    'anthropic-version': fc.constantFrom('2023-06-01', 'garbage'),
    'x-random': fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
    connection: fc.constantFrom('keep-alive', 'upgrade', 'x-random'),
  },
  { requiredKeys: [] },
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      model: fc.oneof(
        fc.constant('claude-test'),
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.string()),
      ),
      stream: fc.oneof(fc.boolean(), fc.string(), fc.integer()),
      stream_options: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ include_usage: fc.jsonValue({ maxDepth: 1 }) }),
      ),
      messages: fc.jsonValue({ maxDepth: 3 }),
      input: fc.jsonValue({ maxDepth: 2 }),
      max_tokens: fc.oneof(fc.integer(), fc.double()),
    },
    { requiredKeys: [] },
  ),
);

const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  jsonish.map((value) => Buffer.from(JSON.stringify(value))),
  // Cut short: valid JSON up to the last character.
  jsonish.map((value) => Buffer.from(JSON.stringify(value).slice(0, -1))),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
);

function requestBytes(
  m: string,
  p: string,
  h: Record<string, string>,
  b: Buffer,
  chunked: boolean,
): Buffer {
  let head = `${m} ${p} HTTP/1.1\r\nhost: localhost\r\n`;
  for (const [name, value] of Object.entries(h))
    if (name !== 'connection') head += `${name}: ${value}\r\n`;
  head += 'connection: close\r\n';
  if (chunked && b.length > 0) {
    head += 'transfer-encoding: chunked\r\n\r\n';
    return Buffer.concat([
      Buffer.from(head),
      Buffer.from(`${b.length.toString(16)}\r\n`),
      b,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
  }
  head += `content-length: ${b.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), b]);
}

function shapeOk(path: string, body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  const anthropic =
    (parsed as { type?: unknown; error?: { type?: unknown; message?: unknown } }).type ===
      'error' && typeof (parsed as { error?: { message?: unknown } }).error?.message === 'string';
  const error = (parsed as { error?: { message?: unknown; type?: unknown } }).error;
  const openaiOrAdmin = typeof error?.message === 'string' && typeof error.type === 'string';
  if (path.startsWith('/anthropic/')) return anthropic;
  if (path.startsWith('/openai/')) return openaiOrAdmin && !anthropic;
  return anthropic || openaiOrAdmin;
}

function upstreamReply(seen: SeenRequest): MockReply {
  let streaming = false;
  try {
    streaming = (JSON.parse(seen.body.toString()) as { stream?: unknown }).stream === true;
  } catch {
    // Not JSON: a passthrough call.
  }
  const profile = seen.url.startsWith('/v1/chat')
    ? chatProfile
    : seen.url.startsWith('/v1/responses')
      ? responsesProfile
      : messagesProfile;
  return profile.success(streaming, seen);
}

describe('fuzzing every route', () => {
  let harness: Harness;
  const keys = [`sk-test-fuzz-${randomBytes(8).toString('hex')}`];

  beforeAll(async () => {
    harness = await startHarness({
      providers: [
        { name: 'anthropic', type: 'anthropic', keys },
        { name: 'openai', type: 'openai', keys },
      ],
      // BYOK off, so that its refusal (403) is among the answers too.
      allowByok: false,
      extra: { log_level: 'warn' },
    });
    harness.upstream.script = upstreamReply;
  });
  afterAll(async () => {
    await harness.close();
  });

  it(`answers ${RUNS} malformed requests with a 4xx in the right shape, never a 5xx of its own`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, fc.boolean(), async (m, p, h, b, chunked) => {
        harness.upstream.requests.length = 0;
        const response = await exchange(harness.gateway.port, requestBytes(m, p, h, b, chunked));
        if (response === 'closed') throw new Error('connection closed without an answer');
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400 && m !== 'HEAD') expect(shapeOk(p, response.body)).toBe(true);
      }),
      { numRuns: RUNS, seed: 20261122 },
    );
    console.log('fuzz statuses', Object.fromEntries([...statuses].sort(([a], [b]) => a - b)));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    // The generators must reach every layer, not only the router.
    for (const status of [200, 400, 401, 403, 404, 405])
      expect(statuses.get(status) ?? 0).toBeGreaterThan(20);
    expect(harness.logs.filter((line) => line.includes('"level":50'))).toEqual([]);
    // 10,000 exchanges take ~12 s alone; on a machine shared with other work, far longer.
  }, 90_000);

  it('survives bytes that are not HTTP at all', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        // Half-closed: an incomplete request line would otherwise wait for the header timeout.
        const response = await exchange(harness.gateway.port, Buffer.from(bytes), true);
        if (response !== 'closed') expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 500, seed: 7 },
    );
    const health = await exchange(
      harness.gateway.port,
      Buffer.from('GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
    );
    expect(health).toMatchObject({ status: 200 });
  });
});
