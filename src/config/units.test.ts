import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './units.js';

describe('formatDurationMs', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1500, '1500ms'],
    [30_000, '30s'],
    [90_000, '90s'],
    [600_000, '10m'],
    [3_600_000, '1h'],
    [5_400_000, '90m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});
