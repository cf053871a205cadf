import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interception } from '../src/recorder/interception.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import { bareInterception, sampleInterception } from './support/sample-interception.js';
import { SQL_ENGINES } from './support/sql-engines.js';
import { addToGroup, emptyGroup, type ExpectedGroup } from './support/expected-usage.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 9, 30);

/**
 * What the list, filters and usage groups run over: three users, three models, two
 * providers, three clients, three days; two share a millisecond; three are unpriced.
 */
const records: readonly Interception[] = [
  sampleInterception({ startedAt: T0, user: 'alice', costUsd: 0.5 }),
  sampleInterception({
    startedAt: T0 + 1000,
    user: 'bob',
    model: 'claude-haiku-4-5',
    costUsd: 0.25,
    client: { name: 'anthropic-sdk', version: '0.71.0', language: 'js' },
  }),
  bareInterception({ startedAt: T0 + 1000, user: 'alice', provider: 'openai-eu' }),
  sampleInterception({
    startedAt: T0 + DAY,
    user: 'carol',
    provider: 'openai',
    dialect: 'openai-responses',
    model: 'gpt-5',
    costUsd: 1.125,
    client: { name: 'codex', version: '0.50.0' },
  }),
  sampleInterception({
    startedAt: T0 + DAY + 5,
    user: 'alice',
    model: 'claude-haiku-4-5',
    costUsd: undefined,
  }),
  sampleInterception({ startedAt: T0 + 2 * DAY, user: 'bob', costUsd: 0.0625 }),
  bareInterception({ startedAt: T0 + 2 * DAY + 1, user: 'carol', model: 'gpt-5' }),
];

const newestFirst = [...records].sort(
  (a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1),
);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

async function call(
  url: string,
  options: { method?: string; token?: string | null; body?: string } = {},
): Promise<Answer> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const response = await request(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

interface Item {
  id: string;
  user: string;
  started_at: string;
  [field: string]: unknown;
}

interface Page {
  items: Item[];
  next_cursor: string | null;
}

type Group = ExpectedGroup;

function errorMessage(answer: Answer): string {
  return (answer.body as { error: { message: string } }).error.message;
}

/** Sums the records the way the usage report must. */
function expectedGroups(
  group: (i: Interception) => string,
  selected: readonly Interception[] = records,
): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const i of selected) {
    const key = group(i);
    const g = groups.get(key) ?? emptyGroup(key);
    addToGroup(g, i);
    groups.set(key, g);
  }
  return groups;
}

describe.each(SQL_ENGINES)('admin API over $name', (engine) => {
  let harness: Harness;
  let api: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const setup = await engine.setup();
    cleanup = setup.cleanup;
    const writer = new SqlRecordStore(setup.target);
    await writer.write(records);
    await writer.close();
    harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: ['sk-ant-admin-test-key-0001'] }],
      database: setup.setting,
    });
    harness.upstream.script = () => messagesProfile.success(false);
    api = `${harness.url}/admin/api`;
  });

  afterAll(async () => {
    await harness.close();
    await cleanup();
  });

  async function page(query: string): Promise<Page> {
    const answer = await call(`${api}/interceptions${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as Page;
  }

  /** Every item a query lists, following next_cursor page by page. */
  async function all(query: Record<string, string>, limit: number): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({
        ...query,
        limit: String(limit),
        ...(cursor === null ? {} : { cursor }),
      });
      const result = await page(`?${params.toString()}`);
      expect(result.items.length).toBeLessThanOrEqual(limit);
      items.push(...result.items);
      cursor = result.next_cursor;
    } while (cursor !== null);
    return items;
  }

  it('refuses every route without the admin token (401), and with a gateway token', async () => {
    const routes: [string, string][] = [
      ['GET', '/interceptions'],
      ['GET', `/interceptions/${records[0]?.id ?? ''}`],
      ['GET', '/usage?group_by=user'],
      ['GET', '/tokens'],
      ['POST', '/tokens'],
      ['DELETE', '/tokens/tok_0123456789abcdef'],
      ['GET', '/providers'],
    ];
    for (const [method, path] of routes) {
      for (const token of [null, TOKEN, 'wrong']) {
        const answer = await call(`${api}${path}`, {
          method,
          token,
          ...(method === 'POST' ? { body: '{"user":"eve"}' } : {}),
        });
        expect(answer.status, `${method} ${path}`).toBe(401);
        expect(answer.headers['www-authenticate']).toBe('Bearer');
      }
    }
    // Nothing was issued by the refused POSTs.
    const tokens = await call(`${api}/tokens`);
    expect((tokens.body as { items: unknown[] }).items).toEqual([]);
  });

  it('lists newest first, every field as DESIGN names it', async () => {
    const result = await page('');
    expect(result.next_cursor).toBeNull();
    expect(result.items.map((i) => i.id)).toEqual(newestFirst.map((i) => i.id));
    const full = records[0];
    if (full === undefined) throw new Error('no records');
    expect(result.items.find((i) => i.id === full.id)).toEqual({
      id: full.id,
      user: 'alice',
      provider: full.provider,
      model: full.model,
      route: full.dialect,
      streaming: full.streaming,
      client: full.client.name,
      credential_kind: full.credentialKind,
      credential_hint: full.keyHint,
      started_at: new Date(full.startedAt).toISOString(),
      ended_at: new Date(full.endedAt).toISOString(),
      outcome: full.outcome,
      attempts: full.attempts,
      usage: {
        input: full.usage.input,
        output: full.usage.output,
        cache_read: full.usage.cacheRead,
        cache_write: full.usage.cacheCreation,
      },
      cost_usd: 0.5,
    });
    const bare = result.items.find((i) => i.id === records[2]?.id);
    expect(bare).toMatchObject({ credential_hint: null, cost_usd: null, attempts: 0 });
  });

  it('pages with an opaque cursor: no item twice, none skipped, same-millisecond ties too', async () => {
    for (const limit of [1, 2, 3]) {
      const items = await all({}, limit);
      expect(items.map((i) => i.id)).toEqual(newestFirst.map((i) => i.id));
    }
  });

  it.each([
    ['user', { user: 'alice' }, (i: Interception) => i.user === 'alice'],
    ['provider', { provider: 'openai-eu' }, (i: Interception) => i.provider === 'openai-eu'],
    ['model', { model: 'claude-haiku-4-5' }, (i: Interception) => i.model === 'claude-haiku-4-5'],
    [
      'since',
      { since: new Date(T0 + DAY).toISOString() },
      (i: Interception) => i.startedAt >= T0 + DAY,
    ],
    [
      'until',
      { until: new Date(T0 + DAY + 5).toISOString() },
      (i: Interception) => i.startedAt < T0 + DAY + 5,
    ],
    [
      'since and until as dates',
      { since: '2026-03-02', until: '2026-03-03' },
      (i: Interception) =>
        i.startedAt >= Date.UTC(2026, 2, 2) && i.startedAt < Date.UTC(2026, 2, 3),
    ],
    [
      'user, model and a time range together',
      { user: 'alice', model: 'claude-sonnet-4-5', until: '2026-03-02T00:00:00+00:00' },
      (i: Interception) =>
        i.user === 'alice' && i.model === 'claude-sonnet-4-5' && i.startedAt < Date.UTC(2026, 2, 2),
    ],
  ])('filters by %s, across pages', async (_name, query, keep) => {
    const expected = newestFirst.filter(keep).map((i) => i.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(records.length);
    expect((await all(query, 1)).map((i) => i.id)).toEqual(expected);
    expect((await all(query, 50)).map((i) => i.id)).toEqual(expected);
  });

  it('shows one interception in detail: attempts, usage per call, tool calls, prompt', async () => {
    const full = records[0];
    if (full === undefined) throw new Error('no records');
    const answer = await call(`${api}/interceptions/${full.id}`);
    expect(answer.status).toBe(200);
    const detail = answer.body as Record<string, unknown>;
    expect(detail).toMatchObject({
      id: full.id,
      user: 'alice',
      attempts: 3,
      credential_hint: full.keyHint,
      status: 200,
      error: null,
      duration_ms: full.durationMs,
      client: 'claude-code',
      client_version: '2.1.3',
      client_language: 'js',
      client_session_id: 'session-7f3a',
      prompt: full.prompt,
      thoughts: full.thoughts,
      usage: {
        input: 1500,
        output: 420,
        cache_read: 1000,
        cache_write: 200,
        reasoning: 64,
        other: { web_search_requests: 2 },
      },
    });
    expect(detail['upstream_calls']).toEqual([
      {
        iteration: 0,
        usage: {
          input: 1000,
          output: 300,
          cache_read: 1000,
          cache_write: 200,
          reasoning: 64,
          other: { web_search_requests: 2 },
        },
        attempts: [
          {
            key_hint: 'sk-…a1b2',
            key_index: 0,
            status: 429,
            latency_ms: 35,
            failed_over: true,
            upstream_request_id: 'req_011',
            error: 'rate limited',
          },
          {
            key_hint: 'sk-…b2c3',
            key_index: 1,
            status: 200,
            latency_ms: 812,
            failed_over: false,
            upstream_request_id: 'req_012',
            error: null,
          },
        ],
      },
      {
        iteration: 1,
        usage: { input: 500, output: 120, cache_read: 0, cache_write: 0, reasoning: 0, other: {} },
        attempts: [
          {
            key_hint: 'sk-…b2c3',
            key_index: 1,
            status: null,
            latency_ms: 3,
            failed_over: false,
            upstream_request_id: null,
            error: 'connection reset',
          },
        ],
      },
    ]);
    expect(detail['tool_calls']).toEqual([
      {
        iteration: 0,
        server: 'tickets',
        tool: 'search_tickets',
        injected: true,
        arguments: '{"query":"failover","limit":5}',
        duration_ms: 57,
        error: null,
      },
      {
        iteration: 1,
        server: null,
        tool: 'Bash',
        injected: false,
        arguments: '{"command":"ls"}',
        duration_ms: null,
        error: null,
      },
    ]);

    const bare = await call(`${api}/interceptions/${records[2]?.id ?? ''}`);
    expect(bare.body).toMatchObject({
      upstream_calls: [],
      tool_calls: [],
      prompt: null,
      error: 'upstream unreachable',
    });
    const missing = await call(`${api}/interceptions/no-such-interception`);
    expect(missing.status).toBe(404);
    expect(errorMessage(missing)).toContain('no-such-interception');
  });

  it.each<[string, (i: Interception) => string]>([
    ['user', (i) => i.user],
    ['model', (i) => i.model],
    ['provider', (i) => i.provider],
    ['client', (i) => i.client.name],
    ['day', (i) => new Date(i.startedAt).toISOString().slice(0, 10)],
  ])('sums usage grouped by %s', async (groupBy, keyOf) => {
    const answer = await call(`${api}/usage?group_by=${groupBy}`);
    expect(answer.status).toBe(200);
    const { groups } = answer.body as { groups: Group[] };
    const expected = expectedGroups(keyOf);
    expect(groups.map((g) => g.key).sort()).toEqual([...expected.keys()].sort());
    for (const group of groups) {
      const want = expected.get(group.key);
      expect(group).toEqual({ ...want, cost_usd: group.cost_usd });
      if (want?.cost_usd === null) expect(group.cost_usd).toBeNull();
      else expect(group.cost_usd).toBeCloseTo(want?.cost_usd ?? Number.NaN, 10);
    }
    if (groupBy === 'day') {
      expect(groups.map((g) => g.key)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    } else {
      const requests = groups.map((g) => g.requests);
      expect(requests).toEqual([...requests].sort((a, b) => b - a));
    }
  });

  it('sums only the time range asked for', async () => {
    const since = T0 + DAY;
    const until = T0 + 2 * DAY + 1;
    const answer = await call(
      `${api}/usage?group_by=user&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`,
    );
    expect(answer.status).toBe(200);
    const { groups } = answer.body as { groups: Group[] };
    const expected = expectedGroups(
      (i) => i.user,
      records.filter((i) => i.startedAt >= since && i.startedAt < until),
    );
    expect(Object.fromEntries(groups.map((g) => [g.key, g.requests]))).toEqual(
      Object.fromEntries([...expected].map(([key, g]) => [key, g.requests])),
    );
    expect(groups.find((g) => g.key === 'alice')).toMatchObject({ unpriced: 1, cost_usd: null });
  });

  it.each([
    ['/interceptions?limit=0', 'limit'],
    ['/interceptions?limit=abc', 'limit'],
    ['/interceptions?limit=100000', 'limit'],
    ['/interceptions?cursor=bogus', 'cursor'],
    ['/interceptions?since=last-week', 'since'],
    ['/interceptions?until=2026-02-30T00:00:00Z', 'until'],
    ['/interceptions?since=2026-03-02&until=2026-03-01', 'until'],
    ['/interceptions?usr=alice', 'usr'],
    ['/interceptions?user=a&user=b', 'user'],
    ['/interceptions/some-id?verbose=1', 'verbose'],
    ['/usage', 'group_by'],
    ['/usage?group_by=week', 'group_by'],
    ['/usage?group_by=day&since=noon', 'since'],
    ['/usage?group_by=day&limit=5', 'limit'],
    ['/tokens?all=1', 'all'],
  ])('GET %s → 400 naming %s', async (path, name) => {
    const answer = await call(`${api}${path}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { type: 'invalid_request' } });
    expect(errorMessage(answer)).toMatch(new RegExp(`^query parameter ${name}: `));
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const answer = await call(`${api}/interceptions`, { method: 'DELETE' });
    expect(answer.status).toBe(405);
    expect(answer.headers['allow']).toBe('GET');
    const usage = await call(`${api}/usage?group_by=day`, { method: 'POST', body: '{}' });
    expect(usage.status).toBe(405);
  });

  describe('gateway tokens', () => {
    async function send(token: string): Promise<number> {
      const response = await request(`${harness.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
          'x-api-key': token,
        },
        body: JSON.stringify(messagesProfile.requestBody(false)),
      });
      await response.body.dump();
      return response.statusCode;
    }

    interface TokenView {
      id: string;
      user: string;
      note: string | null;
      hint: string | null;
      created_at: string;
      last_used_at: string | null;
      revoked_at: string | null;
      token?: string;
    }

    const list = async (): Promise<TokenView[]> =>
      ((await call(`${api}/tokens`)).body as { items: TokenView[] }).items;

    it('creates a token shown once, which works at once; lists it without the secret', async () => {
      const created = await call(`${api}/tokens`, {
        method: 'POST',
        body: JSON.stringify({ user: 'dora', note: 'CI runner' }),
      });
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const view = created.body as TokenView;
      expect(view).toMatchObject({ user: 'dora', note: 'CI runner', revoked_at: null });
      expect(view.id).toMatch(/^tok_[0-9a-f]{16}$/);
      const token = view.token ?? '';
      expect(token).toMatch(/^sy_[A-Za-z0-9_-]{43}$/);
      expect(view.hint).toBe(`sy_…${token.slice(-4)}`);

      expect(await send(token)).toBe(200);
      const recorded = harness.interceptions.at(-1);
      expect(recorded?.user).toBe('dora');

      const listed = (await list()).find((t) => t.id === view.id);
      expect(listed).toMatchObject({ user: 'dora', note: 'CI runner', hint: view.hint });
      expect(listed).not.toHaveProperty('token');
      const raw = JSON.stringify(await list());
      expect(raw).not.toContain(token);
      expect(harness.logs.join('\n')).not.toContain(token);
      // Last used: written in a batch a moment after the request.
      await expect
        .poll(async () => (await list()).find((t) => t.id === view.id)?.last_used_at, {
          timeout: 5000,
        })
        .toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('a revoked token gets 401 on its very next request; revoking again is harmless', async () => {
      const created = (
        await call(`${api}/tokens`, { method: 'POST', body: JSON.stringify({ user: 'erin' }) })
      ).body as TokenView;
      const token = created.token ?? '';
      expect(await send(token)).toBe(200);
      const revoked = await call(`${api}/tokens/${created.id}`, { method: 'DELETE' });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: created.id, user: 'erin', note: null });
      const revokedAt = (revoked.body as TokenView).revoked_at;
      expect(revokedAt).toMatch(/^\d{4}-/);
      expect(await send(token)).toBe(401);
      const again = await call(`${api}/tokens/${created.id}`, { method: 'DELETE' });
      expect(again.status).toBe(200);
      expect((again.body as TokenView).revoked_at).toBe(revokedAt);
      expect((await list()).find((t) => t.id === created.id)?.revoked_at).toBe(revokedAt);
      expect(await send(TOKEN)).toBe(200);
    });

    it('refuses a bad body or an unknown id', async () => {
      const bodies: [string, RegExp][] = [
        ['', /must be JSON/],
        ['not json', /must be JSON/],
        ['[]', /must be a JSON object/],
        ['{}', /^user: required/],
        ['{"user": 7}', /^user: required, a string/],
        ['{"user": ""}', /^user: is empty/],
        ['{"user": " bob"}', /^user: has leading or trailing spaces/],
        [`{"user": "${'u'.repeat(201)}"}`, /^user: is longer than 200/],
        ['{"user": "bo\\u0000b"}', /^user: contains control characters/],
        ['{"user": "bob", "note": 5}', /^note: expected a string/],
        ['{"user": "bob", "admin": true}', /^unknown field "admin"/],
      ];
      for (const [body, message] of bodies) {
        const answer = await call(`${api}/tokens`, { method: 'POST', body });
        expect(answer.status, body).toBe(400);
        expect(errorMessage(answer), body).toMatch(message);
      }
      const tooLarge = await call(`${api}/tokens`, {
        method: 'POST',
        body: JSON.stringify({ user: 'bob', note: 'x'.repeat(70_000) }),
      });
      expect(tooLarge.status).toBe(413);
      const unknown = await call(`${api}/tokens/tok_ffffffffffffffff`, { method: 'DELETE' });
      expect(unknown.status).toBe(404);
      expect((await list()).map((t) => t.user)).not.toContain('bob');
    });
  });
});

describe('admin API without a database', () => {
  it('answers 503 saying that recording is off; key states still work', async () => {
    const harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: ['sk-ant-admin-test-key-0001'] }],
      database: 'off',
    });
    try {
      const api = `${harness.url}/admin/api`;
      for (const [method, path] of [
        ['GET', '/interceptions'],
        ['GET', '/interceptions/some-id'],
        ['GET', '/usage?group_by=day'],
        ['GET', '/tokens'],
        ['POST', '/tokens'],
        ['DELETE', '/tokens/tok_0123456789abcdef'],
      ] as const) {
        const answer = await call(`${api}${path}`, {
          method,
          ...(method === 'POST' ? { body: '{"user":"bob"}' } : {}),
        });
        expect(answer.status, `${method} ${path}`).toBe(503);
        expect(errorMessage(answer)).toContain('recording is off (database: off)');
      }
      // Parameters are still checked first.
      expect((await call(`${api}/interceptions?limit=0`)).status).toBe(400);
      expect((await call(`${api}/providers`)).status).toBe(200);
    } finally {
      await harness.close();
    }
  });

  it('answers 503 naming the cause when the database is unreachable', async () => {
    const harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: ['sk-ant-admin-test-key-0001'] }],
      database: 'postgres://postgres:a-db-password@127.0.0.1:1/switchyard',
    });
    try {
      const answer = await call(`${harness.url}/admin/api/interceptions`);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('5');
      expect(errorMessage(answer)).toMatch(
        /^the recording database is unavailable: .*ECONNREFUSED/,
      );
      expect(JSON.stringify(answer.body)).not.toContain('a-db-password');
      const created = await call(`${harness.url}/admin/api/tokens`, {
        method: 'POST',
        body: '{"user":"bob"}',
      });
      expect(created.status).toBe(503);
      // Requests with configured tokens are served all the same.
      harness.upstream.script = () => messagesProfile.success(false);
      const response = await request(`${harness.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
        body: JSON.stringify(messagesProfile.requestBody(false)),
      });
      await response.body.dump();
      expect(response.statusCode).toBe(200);
    } finally {
      await harness.close();
    }
  });
});
