import Anthropic from '@anthropic-ai/sdk';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { anthropicStreamEvents } from './support/anthropic-fixtures.js';
import { ADMIN_TOKEN, TOKEN } from './support/harness.js';
import { MockUpstream } from './support/mock-upstream.js';
import { startReplica, type Replica } from './support/replica.js';

/**
 * Reload on SIGHUP and on a change of the config file, one process and `--workers 2`:
 * keys added and removed (those that remain keep their state), a configured token revoked,
 * a bad file refused, and a stream in flight through all of it ends as it would have.
 */

const POLL = { timeout: 20_000, interval: 25 };
const fresh = (label: string): string => `sk-ant-${label}-${randomBytes(9).toString('hex')}`;
const BOB = 'sy-test-gateway-token-bob-4d5e6f';
const CAROL = 'sy-test-gateway-token-carol-9a8b7c';

function yaml(upstream: MockUpstream, keys: readonly string[], tokens: [string, string][]): string {
  return [
    'listen: 127.0.0.1:0',
    'database: "off"',
    'providers:',
    '  - name: anthropic',
    '    type: anthropic',
    `    base_url: ${upstream.url}`,
    `    keys: [${keys.map((k) => `"${k}"`).join(', ')}]`,
    'auth:',
    '  tokens:',
    ...tokens.map(([user, token]) => `    - { user: ${user}, token: "${token}" }`),
    'admin:',
    `  token: "${ADMIN_TOKEN}"`,
    '',
  ].join('\n');
}

async function ask(gateway: Replica, token: string): Promise<number> {
  const response = await request(`${gateway.url}/anthropic/v1/messages`, {
    method: 'POST',
    reset: true,
    headers: { 'content-type': 'application/json', 'x-api-key': token },
    body: JSON.stringify({ model: 'claude-test', max_tokens: 8, messages: [] }),
  });
  await response.body.dump();
  return response.statusCode;
}

/** Key hints and states as the admin API lists them, the same over several connections. */
async function keys(gateway: Replica): Promise<string> {
  const answers = await Promise.all(
    [1, 2, 3, 4].map(async () => {
      const response = await request(`${gateway.url}/admin/api/providers`, {
        reset: true,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const body = (await response.body.json()) as {
        keys: { hint: string; state: string }[];
      }[];
      return (body[0]?.keys ?? []).map((k) => `${k.hint}:${k.state}`).join(' ');
    }),
  );
  return new Set(answers).size === 1 ? (answers[0] ?? '') : 'workers disagree';
}

const hintOf = (key: string): string => `${key.slice(0, 3)}…${key.slice(-4)}`;
const logged = (gateway: Replica, text: string): number =>
  gateway.lines().filter((l) => String(l['msg']).includes(text)).length;

describe.each([
  { label: 'one process', args: [] as string[] },
  { label: '--workers 2', args: ['--workers', '2'] },
])('hot reload ($label)', ({ args }) => {
  let upstream: MockUpstream | undefined;
  let gateway: Replica | undefined;

  afterEach(async () => {
    const code = await gateway?.stop();
    await upstream?.close();
    expect(code).toBe(0);
  });

  it('brings a disabled key back and keeps a cooling one cooling', async () => {
    const mock = await MockUpstream.start();
    upstream = mock;
    const [cooling, disabled, serving] = [fresh('rl-t'), fresh('rl-p'), fresh('rl-v')];
    mock.script = (r) => {
      if (r.key === cooling) return { status: 429, headers: { 'retry-after': '600' }, body: {} };
      if (r.key === disabled) return { status: 401, body: {} };
      return { status: 200, body: { type: 'message', role: 'assistant', content: [] } };
    };
    const g = await startReplica(
      'reenable',
      yaml(mock, [cooling, disabled, serving], [['alice', TOKEN]]),
      args,
    );
    gateway = g;
    expect(await ask(g, TOKEN)).toBe(200);
    const before = `${hintOf(cooling)}:temporary ${hintOf(disabled)}:permanent ${hintOf(serving)}:valid`;
    await expect.poll(() => keys(g), POLL).toBe(before);
    g.child.kill('SIGHUP');
    await expect
      .poll(() => keys(g), POLL)
      .toBe(`${hintOf(cooling)}:temporary ${hintOf(disabled)}:valid ${hintOf(serving)}:valid`);
  });

  it('adds and removes keys, revokes a token, refuses a bad file; a stream in flight ends whole', async () => {
    const mock = await MockUpstream.start();
    upstream = mock;
    const [k0, k1, k2] = [fresh('reload-0'), fresh('reload-1'), fresh('reload-2')];
    const streamed = anthropicStreamEvents('a stream that outlives two reloads');
    mock.script = (r) => {
      if (r.key === k0) return { status: 429, headers: { 'retry-after': '600' }, body: {} };
      if (r.body.includes('"stream":true')) return { sse: streamed, delayMs: 250 };
      return { status: 200, body: { type: 'message', role: 'assistant', content: [] } };
    };
    const tokens: [string, string][] = [
      ['alice', TOKEN],
      ['bob', BOB],
    ];
    const g = await startReplica('reload', yaml(mock, [k0, k1], tokens), args);
    gateway = g;
    // key-0 cools down for 10 minutes; it must still be cooling after the reloads.
    expect(await ask(g, TOKEN)).toBe(200);
    await expect.poll(() => keys(g), POLL).toBe(`${hintOf(k0)}:temporary ${hintOf(k1)}:valid`);

    const client = new Anthropic({ baseURL: `${g.url}/anthropic`, apiKey: BOB, maxRetries: 0 });
    const stream = client.messages
      .stream({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    let ended = false;
    void stream.finally(() => (ended = true));
    await expect.poll(() => mock.requests.filter((r) => r.key === k1).length, POLL).toBe(2);

    // Through the file watch: key-1 removed, key-2 added, bob's token revoked, carol's added.
    writeFileSync(
      g.file,
      yaml(
        mock,
        [k0, k2],
        [
          ['alice', TOKEN],
          ['carol', CAROL],
        ],
      ),
    );
    await expect.poll(() => keys(g), POLL).toBe(`${hintOf(k0)}:temporary ${hintOf(k2)}:valid`);
    // Reloaded while the stream still runs.
    expect(ended).toBe(false);
    await expect.poll(() => ask(g, BOB), POLL).toBe(401);
    await expect.poll(() => ask(g, CAROL), POLL).toBe(200);
    expect(mock.requests.at(-1)?.key).toBe(k2);

    // A bad file (SIGHUP as well): refused in one line, the running configuration stays.
    writeFileSync(g.file, 'providers: [ { name: "Bad Name", type: anthropic, keys: [] } ]\n');
    g.child.kill('SIGHUP');
    await expect.poll(() => logged(g, 'reload refused'), POLL).toBeGreaterThanOrEqual(1);
    expect(await ask(g, CAROL)).toBe(200);
    expect(await keys(g)).toBe(`${hintOf(k0)}:temporary ${hintOf(k2)}:valid`);
    const refusals = g.lines().filter((l) => String(l['msg']).includes('reload refused'));
    expect(String(refusals[0]?.['msg'])).toContain('providers[0]');

    // A restart-only setting is named and left as it is.
    writeFileSync(
      g.file,
      yaml(mock, [k0, k2], [['carol', CAROL]]).replace(
        'listen: 127.0.0.1:0',
        'listen: 127.0.0.1:1',
      ),
    );
    g.child.kill('SIGHUP');
    await expect.poll(() => ask(g, TOKEN), POLL).toBe(401);
    await expect
      .poll(() => logged(g, 'take effect only on a restart'), POLL)
      .toBeGreaterThanOrEqual(1);

    // The stream started before all that, on key-1 and bob's token, ended as it would have.
    const message = await stream;
    expect(message.content).toEqual([{ type: 'text', text: 'a stream that outlives two reloads' }]);
    for (const secret of [k0, k1, k2, BOB, CAROL]) expect(g.stdout()).not.toContain(secret);
  }, 60_000);
});
