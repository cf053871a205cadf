import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ADMIN_TOKEN, TOKEN } from './support/harness.js';
import { MockUpstream } from './support/mock-upstream.js';
import { startReplica, type Replica } from './support/replica.js';

/**
 * `serve --workers 2` without Redis: two worker processes behind one socket share key
 * state through their primary. Each call below opens a connection of its own, so calls
 * are spread over the workers (the primary hands connections out in turn); the interception
 * log lines, tagged with the worker, tell which one served each.
 */

const POLL = { timeout: 20_000, interval: 25 };
const fresh = (label: string): string => `sk-ant-${label}-${randomBytes(9).toString('hex')}`;
const ok = { status: 200, body: { type: 'message', role: 'assistant', content: [] } };

let asked = 0;

interface Served {
  readonly status: number;
  readonly id: string;
}

/** One bridged request on a connection of its own. */
async function ask(gateway: Replica, provider: string): Promise<Served> {
  const response = await request(`${gateway.url}/${provider}/v1/messages`, {
    method: 'POST',
    reset: true,
    headersTimeout: 10_000,
    headers: { 'content-type': 'application/json', 'x-api-key': TOKEN },
    body: JSON.stringify({ model: 'claude-test', max_tokens: 8, messages: [] }),
  });
  await response.body.dump();
  asked++;
  return {
    status: response.statusCode,
    id: String(response.headers['x-switchyard-request-id']),
  };
}

/** The worker whose log line recorded this interception (log lines are batched: waits). */
async function workerOf(gateway: Replica, id: string): Promise<number> {
  let worker: number | undefined;
  await expect
    .poll(() => {
      const line = gateway
        .lines()
        .find(
          (l) => l['msg'] === 'interception' && (l['interception'] as { id?: string }).id === id,
        );
      worker = line?.['worker'] as number | undefined;
      return worker;
    }, POLL)
    .toBeDefined();
  return worker as number;
}

async function states(gateway: Replica, provider: string): Promise<string[]> {
  const response = await request(`${gateway.url}/admin/api/providers`, {
    reset: true,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const body = (await response.body.json()) as { name: string; keys: { state: string }[] }[];
  return body.find((p) => p.name === provider)?.keys.map((k) => k.state) ?? [];
}

/** What every worker says: asked over several connections in a row, all agree. */
async function everyWorkerSays(gateway: Replica, provider: string): Promise<string[]> {
  const answers = await Promise.all([1, 2, 3, 4].map(() => states(gateway, provider)));
  const distinct = new Set(answers.map((a) => a.join()));
  return distinct.size === 1 ? (answers[0] ?? []) : ['workers disagree'];
}

async function enable(gateway: Replica, provider: string, index: number): Promise<number> {
  const response = await request(
    `${gateway.url}/admin/api/providers/${provider}/keys/${index}/enable`,
    { method: 'POST', reset: true, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  );
  await response.body.dump();
  return response.statusCode;
}

describe('--workers 2 without Redis: key state shared through the primary', () => {
  let upstream: MockUpstream;
  let gateway: Replica;
  const temp = [fresh('temp-0'), fresh('temp-1')];
  const perm = [fresh('perm-0'), fresh('perm-1')];
  const refused = new Set<string>();
  const seen = (keys: readonly string[]): (string | undefined)[] =>
    upstream.requests.map((r) => r.key).filter((k) => k !== undefined && keys.includes(k));

  /**
   * Asks until a request lands on a worker other than `first`'s; every request must have
   * gone where the shared state says. Returns how many were asked.
   */
  async function askUntilOtherWorker(provider: string, first: number): Promise<number> {
    for (let asked = 1; asked <= 8; asked++) {
      const served = await ask(gateway, provider);
      expect(served.status).toBe(200);
      if ((await workerOf(gateway, served.id)) !== first) return asked;
    }
    throw new Error('no request reached the other worker');
  }

  beforeAll(async () => {
    upstream = await MockUpstream.start();
    upstream.script = (r) => {
      const key = r.key ?? '';
      if (key === temp[0]) {
        return { status: 429, headers: { 'retry-after': '60' }, body: { type: 'error' } };
      }
      if (refused.has(key)) return { status: 401, body: { type: 'error' } };
      return ok;
    };
    refused.add(perm[0] as string);
    const keys = (list: readonly string[]) => `[${list.map((k) => `"${k}"`).join(', ')}]`;
    gateway = await startReplica(
      'workers',
      [
        'listen: 127.0.0.1:0',
        'database: "off"',
        'providers:',
        '  - name: temp',
        '    type: anthropic',
        `    base_url: ${upstream.url}`,
        `    keys: ${keys(temp)}`,
        '  - name: perm',
        '    type: anthropic',
        `    base_url: ${upstream.url}`,
        `    keys: ${keys(perm)}`,
        'auth:',
        '  tokens:',
        `    - { user: alice, token: "${TOKEN}" }`,
        'admin:',
        `  token: "${ADMIN_TOKEN}"`,
        '',
      ].join('\n'),
      ['--workers', '2'],
    );
  });

  afterAll(async () => {
    const started = { gateway, upstream } as Partial<{ gateway: Replica; upstream: MockUpstream }>;
    const code = await started.gateway?.stop();
    await started.upstream?.close();
    expect(code).toBe(0);
  });

  it('starts two workers behind one address, with one startup line', () => {
    const startup = gateway.lines().filter((l) => l['msg'] === 'switchyard listening');
    expect(startup).toHaveLength(1);
    expect(startup[0]).toMatchObject({ workers: 2, key_state: 'the primary process' });
    expect(startup[0]?.['worker_pids']).toHaveLength(2);
  });

  it("one worker's 429 on key-0: the other worker's next request goes straight to key-1", async () => {
    const first = await ask(gateway, 'temp');
    expect(first.status).toBe(200);
    const worker = await workerOf(gateway, first.id);
    await expect.poll(() => everyWorkerSays(gateway, 'temp'), POLL).toEqual(['temporary', 'valid']);
    const asked = await askUntilOtherWorker('temp', worker);
    expect(seen(temp)).toEqual([temp[0], ...Array<string>(asked + 1).fill(temp[1] as string)]);
  });

  it("one worker's 401 on key-0: the other goes straight to key-1; re-enable from either", async () => {
    const first = await ask(gateway, 'perm');
    expect(first.status).toBe(200);
    const worker = await workerOf(gateway, first.id);
    await expect.poll(() => everyWorkerSays(gateway, 'perm'), POLL).toEqual(['permanent', 'valid']);
    const asked = await askUntilOtherWorker('perm', worker);
    expect(seen(perm)).toEqual([perm[0], ...Array<string>(asked + 1).fill(perm[1] as string)]);

    refused.clear();
    upstream.reset();
    expect(await enable(gateway, 'perm', 0)).toBe(200);
    await expect.poll(() => everyWorkerSays(gateway, 'perm'), POLL).toEqual(['valid', 'valid']);
    const again = await ask(gateway, 'perm');
    const other = await askUntilOtherWorker('perm', await workerOf(gateway, again.id));
    expect(seen(perm)).toEqual(Array<string>(other + 1).fill(perm[0] as string));
  });

  it("/metrics on either worker adds up every worker's counters; shared key state is not doubled", async () => {
    const scrape = async (): Promise<string> => {
      const response = await request(`${gateway.url}/metrics`, { reset: true });
      expect(response.statusCode).toBe(200);
      return response.body.text();
    };
    const total = (text: string): number =>
      text
        .split('\n')
        .filter((line) => line.startsWith('switchyard_interceptions_total{'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    expect((await ask(gateway, 'temp')).status).toBe(200);
    expect((await ask(gateway, 'temp')).status).toBe(200);
    const scrapes = await Promise.all([scrape(), scrape(), scrape()]);
    for (const text of scrapes) {
      expect(total(text)).toBe(asked);
      expect(text).toMatch(
        /switchyard_key_state\{provider="temp",key_index="0",state="temporary"\} 1\n/,
      );
    }
  });

  it('a worker killed with SIGKILL is replaced, the other keeps serving, the new one has the state', async () => {
    refused.add(perm[0] as string);
    expect((await ask(gateway, 'perm')).status).toBe(200);
    await expect.poll(() => everyWorkerSays(gateway, 'perm'), POLL).toEqual(['permanent', 'valid']);
    const pids = gateway.lines().find((l) => l['msg'] === 'switchyard listening')?.[
      'worker_pids'
    ] as number[];
    process.kill(pids[0] as number, 'SIGKILL');
    await expect
      .poll(
        () => gateway.lines().some((l) => l['msg'] === 'worker exited; starting a new one'),
        POLL,
      )
      .toBe(true);
    // Served all along, by the worker left, while the new one starts.
    const during = await Promise.all([1, 2, 3, 4].map(() => ask(gateway, 'temp')));
    expect(during.map((s) => s.status)).toEqual([200, 200, 200, 200]);
    await expect
      .poll(() => gateway.lines().some((l) => l['msg'] === 'worker listening'), POLL)
      .toBe(true);
    const exited = gateway.lines().find((l) => l['msg'] === 'worker exited; starting a new one');
    expect(exited).toMatchObject({ signal: 'SIGKILL' });
    // The replacement loaded key-0's state from the primary: every worker skips it.
    upstream.reset();
    expect(await everyWorkerSays(gateway, 'perm')).toEqual(['permanent', 'valid']);
    const served = await Promise.all([1, 2, 3, 4].map(() => ask(gateway, 'perm')));
    const workers = new Set(await Promise.all(served.map((s) => workerOf(gateway, s.id))));
    expect(workers.size).toBe(2);
    expect(seen(perm)).toEqual(Array<string>(4).fill(perm[1] as string));
    for (const secret of [...temp, ...perm]) expect(gateway.stdout()).not.toContain(secret);
  }, 60_000);
});
