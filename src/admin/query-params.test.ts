import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { parseIsoTime } from './iso-time.js';
import { QueryParams } from './query-params.js';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError && error.status === 400) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

describe('parseIsoTime', () => {
  it.each([
    ['2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T12:00:00.250Z', Date.UTC(2026, 0, 31, 12, 0, 0, 250)],
    ['2026-01-31T12:00:00.123456789Z', Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
    ['2026-01-31T12:00Z', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T14:00:00+02:00', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T14:00:00+0200', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T07:00:00-05:00', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T12:00:00', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31 12:00:00Z', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31', Date.UTC(2026, 0, 31)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
  ])('%s', (text, expected) => {
    expect(parseIsoTime(text)).toBe(expected);
  });

  it.each([
    'yesterday',
    '1767225600000',
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-01-31T24:00:00Z',
    '2026-01-31T12:60Z',
    '2026-1-31',
    '2026-01-31T12',
    '2026-01-31T12:00:00+2',
    ' 2026-01-31',
  ])('refuses %s', (text) => {
    expect(parseIsoTime(text)).toBeUndefined();
  });
});

describe('QueryParams', () => {
  it('reads what the route knows, and takes an empty value as not given', () => {
    const params = new QueryParams('limit=10&user=alice&model=&since=2026-01-01', [
      'limit',
      'user',
      'model',
      'since',
      'until',
    ]);
    expect(params.integer('limit', 1, 500)).toBe(10);
    expect(params.text('user')).toBe('alice');
    expect(params.text('model')).toBeUndefined();
    expect(params.timeRange()).toEqual({ since: Date.UTC(2026, 0, 1) });
  });

  it('decodes percent-escapes and plus signs', () => {
    const params = new QueryParams('user=zo%C3%AB+smith&model=claude%2Bx', ['user', 'model']);
    expect(params.text('user')).toBe('zoë smith');
    expect(params.text('model')).toBe('claude+x');
  });

  it.each([
    ['limti=5', ['limit'], 'query parameter limti: unknown (known: limit)'],
    ['x=1', [], 'query parameter x: unknown (this route takes none)'],
    ['user=a&user=b', ['user'], 'query parameter user: given more than once'],
    ['user=&user=', ['user'], 'query parameter user: given more than once'],
  ])('%s is refused naming the parameter', (search, allowed, message) => {
    expect(refusal(() => new QueryParams(search, allowed))).toBe(message);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=1e2', 'limit'],
  ])('%s: a number out of range or malformed names %s', (search, name) => {
    const params = new QueryParams(search, ['limit']);
    expect(refusal(() => params.integer('limit', 1, 500))).toBe(
      `query parameter ${name}: expected a whole number from 1 to 500`,
    );
  });

  it('names a bad time and an empty range', () => {
    expect(refusal(() => new QueryParams('since=monday', ['since', 'until']).timeRange())).toMatch(
      /^query parameter since: expected an ISO 8601 time/,
    );
    expect(
      refusal(() => new QueryParams('until=2026-02-30', ['since', 'until']).timeRange()),
    ).toMatch(/^query parameter until: expected an ISO 8601 time/);
    expect(
      refusal(() =>
        new QueryParams('since=2026-01-02&until=2026-01-01', ['since', 'until']).timeRange(),
      ),
    ).toBe('query parameter until: must be later than since');
  });

  it('names a value outside its choices, and a text too long', () => {
    const params = new QueryParams(`group_by=week&user=${'x'.repeat(501)}`, ['group_by', 'user']);
    expect(refusal(() => params.oneOf('group_by', ['user', 'day']))).toBe(
      'query parameter group_by: expected one of user, day',
    );
    expect(refusal(() => params.text('user'))).toBe(
      'query parameter user: longer than 500 characters',
    );
  });
});

describe('cursor', () => {
  it('round-trips and is opaque', () => {
    const cursor = { startedAt: Date.UTC(2026, 0, 1), id: '3f1c9a6e-5d2b-4f4e-9a0b-1c2d3e4f5a6b' };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(text)).toEqual(cursor);
  });

  it.each([
    '',
    'not base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1.5,"x"]').toString('base64url'),
    Buffer.from('[1,""]').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
    Buffer.from('[1,"x",3]').toString('base64url'),
    Buffer.from('not json').toString('base64url'),
  ])('refuses %j', (text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
