import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interception } from '../src/recorder/interception.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { ADMIN_TOKEN, startHarness, type Harness } from './support/harness.js';
import { bareInterception, sampleInterception } from './support/sample-interception.js';
import { SQL_ENGINES } from './support/sql-engines.js';
import { addToGroup, emptyGroup, type ExpectedGroup } from './support/expected-usage.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2026-03-01T09:00:00Z, an hour's (and not a day's) start. */
const T0 = Date.UTC(2026, 2, 1, 9);

/**
 * Records at an hour's first and last millisecond and across midnight, so that a bucket
 * boundary off by one, or local time instead of UTC, moves a record into another bucket.
 */
const records: readonly Interception[] = [
  sampleInterception({ startedAt: T0, user: 'alice', costUsd: 0.5 }),
  sampleInterception({ startedAt: T0 + HOUR - 1, user: 'bob', costUsd: 0.25 }),
  sampleInterception({
    startedAt: T0 + HOUR - 1,
    user: 'alice',
    model: 'claude-haiku-4-5',
    costUsd: undefined,
  }),
  sampleInterception({ startedAt: T0 + HOUR, user: 'alice', costUsd: 0.125 }),
  bareInterception({ startedAt: T0 + 15 * HOUR - 1, user: 'carol' }),
  sampleInterception({ startedAt: T0 + 15 * HOUR, user: 'bob', costUsd: 1 }),
  sampleInterception({ startedAt: T0 + 2 * DAY + 7, user: 'carol', costUsd: 2 }),
];

interface Point extends ExpectedGroup {
  start: string;
}

/** Sums the records the way the series must: by bucket start, then key. */
function expectedPoints(
  width: number,
  keyOf: (i: Interception) => string,
  selected: readonly Interception[] = records,
): Point[] {
  const points = new Map<string, Point>();
  for (const i of selected) {
    const start = new Date(i.startedAt - (i.startedAt % width)).toISOString();
    const key = keyOf(i);
    const id = `${start} ${key}`;
    const p = points.get(id) ?? { start, ...emptyGroup(key) };
    addToGroup(p, i);
    points.set(id, p);
  }
  return [...points.values()].sort((a, b) =>
    a.start === b.start ? (a.key < b.key ? -1 : 1) : a.start < b.start ? -1 : 1,
  );
}

async function call(url: string, token: string | null = ADMIN_TOKEN) {
  const response = await request(url, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.statusCode, body: await response.body.json() };
}

describe.each(SQL_ENGINES)('usage series over $name', (engine) => {
  let harness: Harness;
  let api: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const setup = await engine.setup();
    cleanup = setup.cleanup;
    const writer = new SqlRecordStore(setup.target);
    await writer.write(records);
    await writer.close();
    harness = await startHarness({ database: setup.setting });
    api = `${harness.url}/admin/api/usage/series`;
  });

  afterAll(async () => {
    await harness.close();
    await cleanup();
  });

  it.each<[string, number, string, (i: Interception) => string]>([
    ['hour', HOUR, 'model', (i) => i.model],
    ['hour', HOUR, 'user', (i) => i.user],
    ['day', DAY, 'user', (i) => i.user],
    ['day', DAY, 'provider', (i) => i.provider],
    ['hour', HOUR, 'client', (i) => i.client.name],
  ])('sums per %s and %s', async (bucket, width, by, keyOf) => {
    const answer = await call(`${api}?bucket=${bucket}&by=${by}`);
    expect(answer.status).toBe(200);
    const body = answer.body as { bucket: string; by: string; points: Point[] };
    expect(body.bucket).toBe(bucket);
    expect(body.by).toBe(by);
    const expected = expectedPoints(width, keyOf);
    expect(body.points.map((p) => ({ ...p, cost_usd: null }))).toEqual(
      expected.map((p) => ({ ...p, cost_usd: null })),
    );
    body.points.forEach((point, n) => {
      const want = expected[n]?.cost_usd;
      if (want === null || want === undefined) expect(point.cost_usd).toBeNull();
      else expect(point.cost_usd).toBeCloseTo(want, 10);
    });
  });

  it('buckets by UTC hour and day boundaries', async () => {
    const hours = (await call(`${api}?bucket=hour&by=user`)).body as { points: Point[] };
    expect([...new Set(hours.points.map((p) => p.start))]).toEqual([
      '2026-03-01T09:00:00.000Z',
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T23:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T09:00:00.000Z',
    ]);
    const days = (await call(`${api}?bucket=day&by=model`)).body as { points: Point[] };
    expect([...new Set(days.points.map((p) => p.start))]).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
  });

  it('sums only the time range asked for', async () => {
    const since = T0 + HOUR - 1;
    const until = T0 + 15 * HOUR;
    const answer = await call(
      `${api}?bucket=hour&by=user&since=${new Date(since).toISOString()}&until=${new Date(until).toISOString()}`,
    );
    expect(answer.status).toBe(200);
    const { points } = answer.body as { points: Point[] };
    const selected = records.filter((i) => i.startedAt >= since && i.startedAt < until);
    expect(points.map((p) => [p.start, p.key, p.requests])).toEqual(
      expectedPoints(HOUR, (i) => i.user, selected).map((p) => [p.start, p.key, p.requests]),
    );
  });

  it.each([
    ['', 'bucket'],
    ['?by=user', 'bucket'],
    ['?bucket=week&by=user', 'bucket'],
    ['?bucket=hour', 'by'],
    ['?bucket=hour&by=day', 'by'],
    ['?bucket=hour&by=user&since=yesterday', 'since'],
    ['?bucket=hour&by=user&since=2026-03-02&until=2026-03-01', 'until'],
    ['?bucket=hour&by=user&group_by=model', 'group_by'],
  ])('GET ?%s → 400 naming %s', async (query, name) => {
    const answer = await call(`${api}${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: {
        type: 'invalid_request',
        message: expect.stringMatching(`^query parameter ${name}: `) as unknown,
      },
    });
  });

  it('needs the admin token', async () => {
    expect((await call(`${api}?bucket=hour&by=user`, null)).status).toBe(401);
  });
});

describe('usage series without a database', () => {
  it('answers 503 saying that recording is off', async () => {
    const harness = await startHarness();
    try {
      const answer = await call(`${harness.url}/admin/api/usage/series?bucket=day&by=model`);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        error: { message: expect.stringContaining('recording is off') as unknown },
      });
    } finally {
      await harness.close();
    }
  });
});
