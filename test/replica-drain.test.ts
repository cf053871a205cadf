import Anthropic from '@anthropic-ai/sdk';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { ADMIN_TOKEN, TOKEN } from './support/harness.js';
import { MockUpstream } from './support/mock-upstream.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { getJson, startReplica, type Replica } from './support/replica.js';

/**
 * Two replicas behind a load balancer, sharing Redis and PostgreSQL: one is told to stop in
 * the middle of a stream; it finishes the stream and exits while the other keeps serving.
 * Both replicas' interceptions are in the one database and listed by either's admin API.
 * (Key state across replicas and a Redis outage are in key-state-replicas.test.ts.)
 */

const SHARED_REDIS = process.env['SWITCHYARD_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';
const POLL = { timeout: 15_000, interval: 25 };
const TEXT = 'a long answer that the draining replica still delivers whole';

async function ask(replica: Replica): Promise<{ status: number; id: string }> {
  const response = await request(`${replica.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-test', max_tokens: 8, messages: [] }),
  });
  await response.body.dump();
  return { status: response.statusCode, id: String(response.headers['x-switchyard-request-id']) };
}

async function listed(replica: Replica): Promise<string[]> {
  const { status, body } = await getJson(`${replica.url}/admin/api/interceptions?limit=100`, {
    authorization: `Bearer ${ADMIN_TOKEN}`,
  });
  expect(status).toBe(200);
  return (body as { items: { id: string }[] }).items.map((item) => item.id).sort();
}

describe('graceful drain across replicas', () => {
  let upstream: MockUpstream;
  let database: TestDatabase;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    upstream = await MockUpstream.start();
    upstream.script = (r) =>
      r.body.includes('"stream":true')
        ? { sse: anthropicStreamEvents(TEXT), delayMs: 300 }
        : { status: 200, body: { type: 'message', role: 'assistant', content: [] } };
    database = await createTestDatabase();
    const key = `sk-ant-drain-${randomBytes(9).toString('hex')}`;
    const yaml = [
      'listen: 127.0.0.1:0',
      `redis: ${SHARED_REDIS}`,
      `key_state_secret: ${randomBytes(24).toString('hex')}`,
      `database: ${database.url}`,
      'shutdown_grace: 30s',
      'providers:',
      '  - name: anthropic',
      '    type: anthropic',
      `    base_url: ${upstream.url}`,
      `    keys: ["${key}"]`,
      'auth:',
      '  tokens:',
      `    - { user: alice, token: "${TOKEN}" }`,
      'admin:',
      `  token: "${ADMIN_TOKEN}"`,
      '',
    ].join('\n');
    [a, b] = await Promise.all([startReplica('a', yaml), startReplica('b', yaml)]);
  });

  afterAll(async () => {
    const started = { a, b, upstream, database } as Partial<{
      a: Replica;
      b: Replica;
      upstream: MockUpstream;
      database: TestDatabase;
    }>;
    await Promise.allSettled([started.a?.stop(), started.b?.stop(), started.upstream?.close()]);
    await started.database?.drop();
  });

  it("both replicas' interceptions are listed by either's admin API", async () => {
    const ids = [(await ask(a)).id, (await ask(b)).id, (await ask(a)).id].sort();
    await expect.poll(() => listed(a), POLL).toEqual(ids);
    await expect.poll(() => listed(b), POLL).toEqual(ids);
  });

  it('a replica stopped mid-stream finishes the stream and exits 0; the other keeps serving', async () => {
    const client = new Anthropic({ baseURL: `${a.url}/anthropic`, apiKey: TOKEN, maxRetries: 0 });
    const stream = client.messages.stream({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    let firstText = false;
    let ended = false;
    stream.on('text', () => (firstText = true));
    stream.on('end', () => (ended = true));
    await expect.poll(() => firstText, POLL).toBe(true);
    a.child.kill('SIGTERM');
    await expect.poll(() => a.lines().some((l) => l['msg'] === 'shutting down'), POLL).toBe(true);

    // Meanwhile the other replica serves as before.
    const during = [await ask(b), await ask(b), await ask(b)];
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(a.child.exitCode).toBeNull();

    // Still streaming after the other replica served three requests.
    expect(ended).toBe(false);
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: TEXT }]);
    expect(await a.exited).toBe(0);
    expect(
      a.lines().some((l) => l['msg'] === 'shutdown grace expired: ending what is still running'),
    ).toBe(false);

    // The stream was recorded before A exited, as completed, and B lists it.
    const streamed = await listed(b);
    const { body } = await getJson(`${b.url}/admin/api/interceptions?limit=100`, {
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    const items = (body as { items: { id: string; streaming: boolean; outcome: string }[] }).items;
    expect(items.filter((i) => i.streaming).map((i) => i.outcome)).toEqual(['completed']);
    expect(streamed).toHaveLength(7);
    expect((await ask(b)).status).toBe(200);
  });
});
