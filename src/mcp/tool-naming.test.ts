import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { injectedName, MAX_TOOL_NAME, NameRegistry, TOOL_NAME } from './tool-naming.js';

const serverName = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 4 })
  .map((words) => words.join('-').slice(0, 32))
  .filter((name) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(name));

describe('injectedName', () => {
  it('is mcp_<server>__<tool> when that is a valid name', () => {
    expect(injectedName('tickets', 'search')).toBe('mcp_tickets__search');
    expect(injectedName('code-search', 'Find-Files_2')).toBe('mcp_code-search__Find-Files_2');
  });

  it('sanitises characters the providers refuse and adds a hash of the real name', () => {
    const name = injectedName('docs', 'pages.get v2');
    expect(name).toMatch(/^mcp_docs__pages_get_v2_[0-9a-f]{8}$/);
    // Names that sanitise alike stay apart, and differ from the plain one.
    expect(injectedName('docs', 'pages.get_v2')).not.toBe(name);
    expect(injectedName('docs', 'pages_get_v2')).toBe('mcp_docs__pages_get_v2');
  });

  it('cuts long names to 64 characters with a stable hash', () => {
    const long = `list_${'very_'.repeat(20)}long`;
    const name = injectedName('a-rather-long-server-name', long);
    expect(name).toHaveLength(MAX_TOOL_NAME);
    expect(name).toBe(injectedName('a-rather-long-server-name', long));
    expect(name.startsWith('mcp_a-rather-long-server-name__list_very_')).toBe(true);
    // The hash keeps two long names with the same beginning apart.
    expect(injectedName('a-rather-long-server-name', `${long}_x`)).not.toBe(name);
  });

  it('is always a valid provider tool name and never loses the server part', () => {
    fc.assert(
      fc.property(serverName, fc.string({ minLength: 1, maxLength: 200 }), fc.nat(5), (s, t, n) => {
        const name = injectedName(s, t, n);
        expect(name).toMatch(TOOL_NAME);
        expect(name.startsWith(`mcp_${s}__`)).toBe(true);
      }),
    );
  });

  it('gives distinct names to distinct tools of a server', () => {
    fc.assert(
      fc.property(
        serverName,
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 80 })),
        (s, tools) => {
          const names = tools.map((t) => injectedName(s, t));
          expect(new Set(names).size).toBe(names.length);
        },
      ),
    );
  });
});

describe('NameRegistry', () => {
  it('lets the first tool keep a contested name and moves the later one, deterministically', () => {
    // A tool literally named as another tool's sanitised-and-hashed name.
    const hashed = injectedName('docs', 'a.b');
    const literal = hashed.slice('mcp_docs__'.length);
    const run = (): string[] => {
      const registry = new NameRegistry();
      return [registry.assign('docs', 'a.b'), registry.assign('docs', literal)];
    };
    const [first, second] = run();
    expect(first).toBe(hashed);
    expect(second).toBe(injectedName('docs', literal, 1));
    expect(second).not.toBe(first);
    expect(run()).toEqual([first, second]);
  });

  it('keeps off reserved names and records the collision', () => {
    const registry = new NameRegistry(['mcp_tickets__search']);
    const name = registry.assign('tickets', 'search');
    expect(name).toBe(injectedName('tickets', 'search', 1));
    expect(registry.collisions).toEqual([
      { server: 'tickets', tool: 'search', wanted: 'mcp_tickets__search', assigned: name },
    ]);
  });
});
