import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { applicableConfig, reloadDiff } from './reload-diff.js';

const provider = (name: string, keys: string[], extra: Record<string, unknown> = {}) => ({
  name,
  type: 'anthropic',
  keys,
  ...extra,
});
const config = (raw: Record<string, unknown>) => parseConfig(raw, {}, 'test');

describe('reloadDiff', () => {
  it('names providers added, removed and changed, and the settings that wait for a restart', () => {
    const before = config({
      listen: '127.0.0.1:8080',
      providers: [
        provider('kept', ['k-1']),
        provider('changed', ['k-2']),
        provider('gone', ['k-3']),
      ],
    });
    const after = config({
      listen: '127.0.0.1:9090',
      workers: 2,
      log_level: 'debug',
      providers: [
        provider('kept', ['k-1']),
        provider('changed', ['k-2', 'k-4']),
        provider('new', ['k-5']),
      ],
      mcp_servers: [{ name: 'tools', url: 'http://127.0.0.1:1/mcp' }],
    });
    expect(reloadDiff(before, after)).toEqual({
      restartOnly: ['listen', 'workers', 'log_level'],
      providers: { added: ['new'], removed: ['gone'], changed: ['changed'] },
      mcpChanged: true,
    });
    const applied = applicableConfig(before, after);
    expect(applied.listen).toEqual(before.listen);
    expect(applied.workers).toBe(1);
    expect(applied.logLevel).toBe('info');
    expect(applied.providers.map((p) => p.name)).toEqual(['kept', 'changed', 'new']);
  });

  it('finds nothing to do in the same file', () => {
    const raw = { providers: [provider('a', ['k-1'], { on_forbidden: 'verify' })] };
    expect(reloadDiff(config(raw), config(raw))).toEqual({
      restartOnly: [],
      providers: { added: [], removed: [], changed: [] },
      mcpChanged: false,
    });
  });
});
