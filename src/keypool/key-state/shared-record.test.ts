import { describe, expect, it } from 'vitest';
import {
  applyMark,
  EMPTY_RECORD,
  ENABLE_MEMORY_MS,
  forgetAt,
  type SharedMark,
  type SharedRecord,
} from './shared-record.js';

const T = 1_000_000;
const mark = (
  kind: SharedMark['kind'],
  at: number,
  options: { until?: number; replay?: boolean } = {},
): SharedMark => ({
  fingerprint: 'f',
  kind,
  at,
  until: options.until ?? 0,
  replay: options.replay ?? false,
});
const apply = (...marks: SharedMark[]): SharedRecord => marks.reduce(applyMark, EMPTY_RECORD);

describe('live marks: in the order they arrive', () => {
  it('a longer cooldown wins, a shorter one never shortens it', () => {
    expect(
      apply(mark('temporary', T, { until: T + 30 }), mark('temporary', T + 1, { until: T + 10 })),
    ).toMatchObject({ permanent: false, until: T + 30, since: T + 1 });
    expect(
      apply(mark('temporary', T, { until: T + 10 }), mark('temporary', T + 1, { until: T + 90 })),
    ).toMatchObject({ until: T + 90 });
  });

  it('permanent wins over temporary, whichever comes first', () => {
    expect(apply(mark('temporary', T, { until: T + 30 }), mark('permanent', T + 1)).permanent).toBe(
      true,
    );
    expect(apply(mark('permanent', T), mark('temporary', T + 1, { until: T + 30 })).permanent).toBe(
      true,
    );
  });

  it('re-enable clears, even when a clock ran ahead of the one that re-enabled', () => {
    const record = apply(mark('permanent', T + 500), mark('enable', T));
    expect(record).toMatchObject({ permanent: false, until: 0, enabledAt: T + 500 });
  });

  it('a live mark after a re-enable counts, whatever its clock said', () => {
    expect(apply(mark('enable', T), mark('permanent', T - 5)).permanent).toBe(true);
  });
});

describe('replayed marks: weighed by when they were made', () => {
  it('a mark made before the last re-enable is stale', () => {
    const enabled = apply(mark('permanent', T), mark('enable', T + 100));
    expect(applyMark(enabled, mark('permanent', T + 50, { replay: true })).permanent).toBe(false);
    expect(applyMark(enabled, mark('permanent', T + 150, { replay: true })).permanent).toBe(true);
  });

  it('a re-enable clears only marks made before it', () => {
    const marked = apply(mark('permanent', T + 100));
    expect(applyMark(marked, mark('enable', T + 50, { replay: true })).permanent).toBe(true);
    expect(applyMark(marked, mark('enable', T + 150, { replay: true })).permanent).toBe(false);
  });

  it('among replayed marks, the longer cooldown and permanence win', () => {
    const record = apply(
      mark('temporary', T, { until: T + 90_000, replay: true }),
      mark('temporary', T + 5, { until: T + 30_000, replay: true }),
    );
    expect(record.until).toBe(T + 90_000);
    expect(applyMark(record, mark('permanent', T - 10, { replay: true })).permanent).toBe(true);
  });
});

describe('forgetting', () => {
  it('a cooldown is forgotten when it ends, a permanent mark never, a re-enable after a day', () => {
    expect(forgetAt(apply(mark('temporary', T, { until: T + 60_000 })))).toBe(T + 60_000);
    expect(forgetAt(apply(mark('permanent', T)))).toBeUndefined();
    expect(forgetAt(apply(mark('permanent', T), mark('enable', T + 1)))).toBe(
      T + 1 + ENABLE_MEMORY_MS,
    );
  });
});
