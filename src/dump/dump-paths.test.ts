import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptStem, dumpStem, safeSegment } from './dump-paths.js';

describe('dump paths', () => {
  it('puts an interception under provider, model and UTC date, named by time and id', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 67);
    expect(dumpStem('/d', 'anthropic', 'claude-x', at, 'abc-123')).toBe(
      join('/d', 'anthropic', 'claude-x', '2026-01-02', '030405.067-abc-123'),
    );
  });

  it('keeps client-chosen model names from climbing out or splitting paths', () => {
    expect(safeSegment('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeSegment('..')).toBe('_..');
    expect(safeSegment('')).toBe('_');
    expect(safeSegment('org/model:latest@v1')).toBe('org_model_latest_v1');
    expect(safeSegment('m'.repeat(300))).toHaveLength(100);
  });

  it('numbers later attempts after the first', () => {
    expect(attemptStem('/d/x', 1)).toBe('/d/x');
    expect(attemptStem('/d/x', 2)).toBe('/d/x.2');
  });
});
