import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, type HeaderRecord } from './retry-after.js';
import { retryAfterHeaderValue } from './key-pool-error.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('parseRetryAfterMs', () => {
  const cases: { name: string; headers: HeaderRecord | undefined; ms: number }[] = [
    { name: 'no response', headers: undefined, ms: 0 },
    { name: 'no headers', headers: {}, ms: 0 },
    { name: 'retry-after-ms 2500', headers: { 'retry-after-ms': '2500' }, ms: 2500 },
    { name: 'retry-after-ms trimmed', headers: { 'retry-after-ms': ' 1500 ' }, ms: 1500 },
    { name: 'negative ms', headers: { 'retry-after-ms': '-100' }, ms: 0 },
    { name: 'Retry-After 60', headers: { 'retry-after': '60' }, ms: 60_000 },
    { name: 'Retry-After trimmed', headers: { 'retry-after': ' 30 ' }, ms: 30_000 },
    { name: 'Retry-After 0', headers: { 'retry-after': '0' }, ms: 0 },
    { name: 'Retry-After -5', headers: { 'retry-after': '-5' }, ms: 0 },
    {
      name: 'both set: ms wins',
      headers: { 'retry-after-ms': '2500', 'retry-after': '60' },
      ms: 2500,
    },
    {
      name: 'invalid ms falls back to seconds',
      headers: { 'retry-after-ms': 'soon', 'retry-after': '7' },
      ms: 7000,
    },
    {
      name: 'ms 0 falls back to seconds',
      headers: { 'retry-after-ms': '0', 'retry-after': '7' },
      ms: 7000,
    },
    { name: 'both zero', headers: { 'retry-after-ms': '0', 'retry-after': '0' }, ms: 0 },
    {
      name: 'HTTP-date 90 s ahead',
      headers: { 'retry-after': new Date(NOW + 90_000).toUTCString() },
      ms: 90_000,
    },
    {
      name: 'HTTP-date in the past',
      headers: { 'retry-after': new Date(NOW - 90_000).toUTCString() },
      ms: 0,
    },
    { name: 'garbage', headers: { 'retry-after': 'tomorrow-ish' }, ms: 0 },
    { name: 'hex is not a number', headers: { 'retry-after': '0x10' }, ms: 0 },
    { name: 'repeated header uses the first', headers: { 'retry-after': ['3', '9'] }, ms: 3000 },
  ];
  it.each(cases)('$name → $ms ms', ({ headers, ms }) => {
    expect(parseRetryAfterMs(headers, NOW)).toBe(ms);
  });
});

describe('exhaustion Retry-After header', () => {
  it.each([
    { ms: 60_000, header: '60' },
    { ms: 500, header: '1' },
    { ms: 200, header: '1' },
    { ms: 2_001, header: '3' },
    { ms: 0, header: undefined },
    { ms: -1_000, header: undefined },
  ])('$ms ms → $header', ({ ms, header }) => {
    expect(retryAfterHeaderValue(ms)).toBe(header);
  });
});
