import { randomBytes } from 'node:crypto';
import { VERSION as ANTHROPIC_SDK_VERSION } from '@anthropic-ai/sdk/version';
import { VERSION as OPENAI_SDK_VERSION } from 'openai/version';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskedHint } from '../src/log/masked-hint.js';
import { anthropicUsage } from './support/anthropic-fixtures.js';
import { dialectProfiles, type DialectProfile } from './support/dialect-profiles.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { chatUsage, responsesUsage } from './support/openai-fixtures.js';
import { callSdk, type CallOptions } from './support/profile.js';

/*
 * The acceptance check of the recording issue: a matrix of requests through the real
 * gateway, recording into SQLite — every API × blocking/streaming × pool key/BYOK × raw
 * HTTP/official SDK, failover and failures included — and then GET /admin/api/interceptions
 * lists each request exactly once, with what actually happened to it.
 */

const BOB_TOKEN = 'sy-test-gateway-token-bob-5e8d21';
const USER_AGENT = 'switchyard-acceptance/1.0';

type KeyRef = 0 | 1 | 2 | 'byok';

interface Scenario {
  readonly name: string;
  readonly byok: boolean;
  readonly token: string;
  readonly user: string;
  /** Upstream answers by key; keys not listed answer successfully. */
  readonly replies: (p: DialectProfile) => Partial<Record<KeyRef, MockReply>>;
  readonly status: number;
  readonly outcome: string;
  /** The key whose hint the record must carry: the last one actually sent the request. */
  readonly servedBy: KeyRef;
  readonly attempts: number;
  /** Whether the upstream's usage counts (a success) or nothing was used (an error). */
  readonly used: boolean;
}

const rateLimited = (p: DialectProfile): MockReply =>
  p.upstreamError(429, 'rate limited upstream', { 'retry-after': '30' });

const scenarios: readonly Scenario[] = [
  {
    name: 'pool key, first key serves',
    byok: false,
    token: TOKEN,
    user: 'alice',
    replies: () => ({}),
    status: 200,
    outcome: 'completed',
    servedBy: 0,
    attempts: 1,
    used: true,
  },
  {
    name: 'pool key, failover after 429',
    byok: false,
    token: BOB_TOKEN,
    user: 'bob',
    replies: (p) => ({ 0: rateLimited(p) }),
    status: 200,
    outcome: 'completed',
    servedBy: 1,
    attempts: 2,
    used: true,
  },
  {
    name: 'pool key, failover after 401 and 403',
    byok: false,
    token: TOKEN,
    user: 'alice',
    replies: (p) => ({ 0: p.upstreamError(401, 'invalid key'), 1: p.upstreamError(403, 'no') }),
    status: 200,
    outcome: 'completed',
    servedBy: 2,
    attempts: 3,
    used: true,
  },
  {
    name: 'pool key, every key rate-limited',
    byok: false,
    token: BOB_TOKEN,
    user: 'bob',
    replies: (p) => ({ 0: rateLimited(p), 1: rateLimited(p), 2: rateLimited(p) }),
    status: 429,
    outcome: 'failed',
    servedBy: 2,
    attempts: 3,
    used: false,
  },
  {
    name: 'pool key, upstream 500 (not failed over)',
    byok: false,
    token: TOKEN,
    user: 'alice',
    replies: (p) => ({ 0: p.upstreamError(500, 'upstream exploded') }),
    status: 500,
    outcome: 'upstream_error',
    servedBy: 0,
    attempts: 1,
    used: false,
  },
  {
    name: 'BYOK',
    byok: true,
    token: BOB_TOKEN,
    user: 'bob',
    replies: () => ({}),
    status: 200,
    outcome: 'completed',
    servedBy: 'byok',
    attempts: 1,
    used: true,
  },
  {
    name: 'BYOK, own key refused (relayed, no failover)',
    byok: true,
    token: TOKEN,
    user: 'alice',
    replies: (p) => ({ byok: p.upstreamError(401, 'invalid x-api-key') }),
    status: 401,
    outcome: 'upstream_error',
    servedBy: 'byok',
    attempts: 1,
    used: false,
  },
];

/** The usage fields the mock upstream sends for each API, in the admin API's names. */
const upstreamUsage: Record<string, Record<string, number>> = {
  messages: {
    input: anthropicUsage.input_tokens,
    output: anthropicUsage.output_tokens,
    cache_read: anthropicUsage.cache_read_input_tokens,
    cache_write: anthropicUsage.cache_creation_input_tokens,
  },
  chat: {
    input: chatUsage.prompt_tokens,
    output: chatUsage.completion_tokens,
    cache_read: chatUsage.prompt_tokens_details.cached_tokens,
    cache_write: 0,
  },
  responses: {
    input: responsesUsage.input_tokens,
    output: responsesUsage.output_tokens,
    cache_read: responsesUsage.input_tokens_details.cached_tokens,
    cache_write: 0,
  },
};
const NO_USAGE = { input: 0, output: 0, cache_read: 0, cache_write: 0 };

/** The reasoning tokens the mock upstream reports, which only the detail shows. */
const upstreamReasoning: Record<string, number> = {
  messages: 0,
  chat: chatUsage.completion_tokens_details.reasoning_tokens,
  responses: responsesUsage.output_tokens_details.reasoning_tokens,
};

/** The official SDKs the matrix drives, as client detection must name them. */
const SDKS = {
  anthropic: { name: 'anthropic-sdk', version: ANTHROPIC_SDK_VERSION },
  openai: { name: 'openai-sdk', version: OPENAI_SDK_VERSION },
} as const;

const ROUTES: Record<string, string> = {
  messages: 'anthropic-messages',
  chat: 'openai-chat',
  responses: 'openai-responses',
};

type Client = 'raw' | 'sdk';

interface Sent {
  readonly id: string;
  readonly profile: DialectProfile;
  readonly scenario: Scenario;
  readonly streaming: boolean;
  readonly client: Client;
  readonly hint: string;
}

interface Item {
  id: string;
  [field: string]: unknown;
}

const keys: Record<string, string[]> = {
  anthropic: [0, 1, 2].map((i) => `sk-ant-acceptance-${i}-${randomBytes(10).toString('hex')}`),
  openai: [0, 1, 2].map((i) => `sk-proj-acceptance-${i}-${randomBytes(10).toString('hex')}`),
};
const byokKey = `sk-byok-acceptance-${randomBytes(10).toString('hex')}`;

async function admin(url: string, method = 'GET'): Promise<unknown> {
  const response = await request(url, {
    method: method as 'GET',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = await response.body.json();
  expect(response.statusCode, JSON.stringify(body)).toBe(200);
  return body;
}

/** One request with a plain HTTP client: returns status and the request id it carried. */
async function sendRaw(
  profile: DialectProfile,
  options: CallOptions,
): Promise<{ status: number; id: string }> {
  const response = await request(`${options.gatewayUrl}${profile.route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...profile.rawHeaders(options),
    },
    body: JSON.stringify(profile.requestBody(options.streaming)),
  });
  await response.body.text();
  return {
    status: response.statusCode,
    id: String(response.headers['x-switchyard-request-id'] ?? ''),
  };
}

describe('acceptance: the interceptions list after the integration matrix', () => {
  let harness: Harness;
  let dir: string;
  const sent: Sent[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-acceptance-'));
    harness = await startHarness({
      providers: [
        { name: 'anthropic', type: 'anthropic', keys: keys['anthropic'] ?? [] },
        { name: 'openai', type: 'openai', keys: keys['openai'] ?? [] },
      ],
      tokens: [
        { user: 'alice', token: TOKEN },
        { user: 'bob', token: BOB_TOKEN },
      ],
      allowByok: true,
      database: `sqlite:${join(dir, 'acceptance.db')}`,
    });
  });

  afterAll(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the matrix', async () => {
    for (const profile of dialectProfiles) {
      const pool = keys[profile.provider.name] ?? [];
      const refOf = (key: string | undefined): KeyRef | -1 =>
        key === byokKey ? 'byok' : (pool.indexOf(key ?? '') as KeyRef | -1);
      for (const streaming of [false, true]) {
        for (const client of ['raw', 'sdk'] as const) {
          for (const scenario of scenarios) {
            // Every scenario starts from a pool of valid keys.
            for (const index of [0, 1, 2]) {
              await admin(
                `${harness.url}/admin/api/providers/${profile.provider.name}/keys/${index}/enable`,
                'POST',
              );
            }
            const replies = scenario.replies(profile);
            harness.upstream.script = (seen: SeenRequest) => {
              const ref = refOf(seen.key);
              return (ref === -1 ? undefined : replies[ref]) ?? profile.success(streaming, seen);
            };
            const options: CallOptions = {
              gatewayUrl: harness.url,
              token: scenario.token,
              streaming,
              ...(scenario.byok ? { byokKey } : {}),
            };
            let outcome: { status: number; id: string };
            if (client === 'raw') outcome = await sendRaw(profile, options);
            else {
              const result = await callSdk(profile, options);
              outcome = {
                status: result.status,
                id: result.headers['x-switchyard-request-id'] ?? '',
              };
            }
            const label = `${profile.name} streaming=${streaming} ${client} ${scenario.name}`;
            expect(outcome.status, label).toBe(scenario.status);
            expect(outcome.id, label).toMatch(/^[0-9a-f-]{36}$/);
            const servedKey =
              scenario.servedBy === 'byok' ? byokKey : (pool[scenario.servedBy] ?? '');
            sent.push({
              id: outcome.id,
              profile,
              scenario,
              streaming,
              client,
              hint: maskedHint(servedKey),
            });
          }
        }
      }
    }
    expect(sent).toHaveLength(dialectProfiles.length * 2 * 2 * scenarios.length);
    expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
  });

  it('lists every request exactly once, each with what happened to it', async () => {
    expect(sent.length).toBeGreaterThan(0);
    const list = async (): Promise<Item[]> => {
      const items: Item[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${cursor}`;
        const page = (await admin(`${harness.url}/admin/api/interceptions?limit=20${query}`)) as {
          items: Item[];
          next_cursor: string | null;
        };
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor !== null);
      return items;
    };
    // Recording is asynchronous: wait until the recorder has written everything sent.
    await expect.poll(async () => (await list()).length, { timeout: 10_000 }).toBe(sent.length);
    const items = await list();

    const ids = items.map((item) => item.id);
    expect(new Set(ids).size, 'no interception listed twice').toBe(ids.length);
    expect([...ids].sort(), 'none missing, none extra').toEqual(sent.map((s) => s.id).sort());
    const startedAt = items.map((item) => Date.parse(String(item['started_at'])));
    expect(startedAt, 'newest first').toEqual([...startedAt].sort((a, b) => b - a));

    const byId = new Map(items.map((item) => [item.id, item]));
    for (const s of sent) {
      const label = `${s.profile.name} streaming=${s.streaming} ${s.client} ${s.scenario.name}`;
      const recorded = harness.interceptions.find((i) => i.id === s.id);
      expect(recorded, label).toBeDefined();
      expect(byId.get(s.id), label).toEqual({
        id: s.id,
        user: s.scenario.user,
        provider: s.profile.provider.name,
        model: s.profile.name === 'messages' ? 'claude-test' : 'gpt-test',
        route: ROUTES[s.profile.name],
        streaming: s.streaming,
        // Raw requests name no known client; the official SDKs are recognised as themselves.
        client: s.client === 'raw' ? 'other' : SDKS[s.profile.provider.type].name,
        credential_kind: s.scenario.byok ? 'byok' : 'centralized',
        credential_hint: s.hint,
        started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        ended_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        outcome: s.scenario.outcome,
        attempts: s.scenario.attempts,
        usage: s.scenario.used ? upstreamUsage[s.profile.name] : NO_USAGE,
        // The test models are in no price table and no override: unpriced, not guessed.
        cost_usd: null,
      });

      const detail = (await admin(`${harness.url}/admin/api/interceptions/${s.id}`)) as Record<
        string,
        unknown
      >;
      const sdk = SDKS[s.profile.provider.type];
      expect(detail, label).toMatchObject({
        client_version: s.client === 'raw' ? null : sdk.version,
        client_language: s.client === 'raw' ? null : 'js',
        user_agent:
          s.client === 'raw'
            ? USER_AGENT
            : `${sdk.name === 'anthropic-sdk' ? 'Anthropic' : 'OpenAI'}/JS ${sdk.version}`,
        usage: {
          ...(s.scenario.used ? upstreamUsage[s.profile.name] : NO_USAGE),
          reasoning: s.scenario.used ? upstreamReasoning[s.profile.name] : 0,
          other: {},
        },
        // recording.prompts is on by default, thoughts off.
        prompt: 'Hi',
        thoughts: null,
      });
    }

    // No key, BYOK credential or gateway token is anywhere in what the admin API returned.
    const everything = JSON.stringify(items);
    for (const secret of [...(keys['anthropic'] ?? []), ...(keys['openai'] ?? []), byokKey]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(BOB_TOKEN);
  });
});
