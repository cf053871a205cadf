import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { dialectProfiles } from './support/dialect-profiles.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let harness: Harness;
const keys = (name: string) =>
  [0, 1].map((i) => `sk-test-${name}-rid-${i}-${randomBytes(8).toString('hex')}`);

beforeAll(async () => {
  harness = await startHarness({
    providers: dialectProfiles
      .map((p) => p.provider)
      .filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i)
      .map((p) => ({ ...p, keys: keys(p.name) })),
  });
});
afterAll(async () => {
  await harness.close();
});

/** The JSON log lines written since `from`. */
function logLinesSince(from: number): Record<string, unknown>[] {
  return harness.logs.slice(from).map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function call(
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; id: string | string[] | undefined }> {
  const response = await request(`${harness.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  await response.body.dump();
  return { status: response.statusCode, id: response.headers['x-switchyard-request-id'] };
}

describe.each(dialectProfiles)('x-switchyard-request-id: $name', (profile) => {
  const auth = { 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' };

  it.each([
    { name: 'a blocking success', streaming: false, reply: 'success', status: 200 },
    { name: 'a streamed success', streaming: true, reply: 'success', status: 200 },
    { name: 'an upstream 500 relayed', streaming: false, reply: 'error', status: 500 },
    { name: 'an exhausted pool (5xx)', streaming: true, reply: 'unauthorized', status: 502 },
  ] as const)('is on $name and matches the logged interception', async (c) => {
    harness.upstream.script = () =>
      c.reply === 'success'
        ? profile.success(c.streaming)
        : c.reply === 'error'
          ? profile.upstreamError(500, 'upstream exploded')
          : profile.upstreamError(401, 'invalid key');
    for (const provider of harness.gateway.providers) {
      for (const key of provider.pool.keys) key.enable();
    }
    const from = harness.logs.length;
    const before = harness.interceptions.length;
    const { status, id } = await call(
      profile.route,
      auth,
      JSON.stringify(profile.requestBody(c.streaming)),
    );
    expect(status).toBe(c.status);
    expect(id).toMatch(UUID);
    expect(harness.interceptions.slice(before).map((i) => i.id)).toEqual([id]);
    const logged = logLinesSince(from).find((line) => line['msg'] === 'interception');
    expect((logged?.['interception'] as { id?: string } | undefined)?.id).toBe(id);
  });

  it.each<{ name: string; headers: Record<string, string>; body: string; status: number }>([
    { name: 'a missing token (401)', headers: {}, body: '{}', status: 401 },
    { name: 'invalid JSON (400)', headers: { 'x-api-key': TOKEN }, body: '{', status: 400 },
  ])('is on $name and matches the rejected line', async (c) => {
    const from = harness.logs.length;
    const { status, id } = await call(profile.route, c.headers, c.body);
    expect(status).toBe(c.status);
    expect(id).toMatch(UUID);
    const rejected = logLinesSince(from).find((line) => line['msg'] === 'rejected');
    expect(rejected?.['id']).toBe(id);
    expect(rejected?.['status']).toBe(c.status);
  });
});

it('is on a 404 for an unknown route, on probes and on the admin API, each one different', async () => {
  const ids = await Promise.all(
    ['/nowhere/v1/messages', '/healthz', '/readyz', '/admin/api/providers'].map(async (path) => {
      const { id } = await call(path, {}, undefined);
      expect(id).toMatch(UUID);
      return id;
    }),
  );
  expect(new Set(ids).size).toBe(ids.length);
});
