import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './request-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUIDv7 carrying the time in its first 48 bits', () => {
    const at = Date.UTC(2026, 11, 2, 5, 30);
    const id = timeOrderedId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, and is unique within one millisecond', () => {
    const at = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(at + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100) {
      expect((ids[i - 1] ?? '') < (ids[i] ?? '')).toBe(true);
    }
    for (const id of ids) expect(id).toMatch(V7);
  });
});
