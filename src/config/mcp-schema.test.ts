import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load.js';

function error(raw: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(raw, env, 'test');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('mcp_servers', () => {
  it('defaults to no servers and 16 iterations', () => {
    expect(parseConfig({}, {}, 'test').mcp).toEqual({ servers: [], maxIterations: 16 });
  });

  it('reads a Streamable HTTP and a stdio server, with env interpolated', () => {
    const { mcp } = parseConfig(
      {
        mcp_servers: [
          {
            name: 'tickets',
            url: 'https://mcp.example.internal/mcp',
            headers: { authorization: 'Bearer ${T}' },
            tool_allow: '^search_',
            timeout: '5s',
          },
          {
            name: 'files',
            command: 'npx',
            args: ['some-mcp-server'],
            env: { ROOT: '/srv' },
            tool_deny: ['^delete_', 'drop'],
          },
        ],
        mcp_max_iterations: '${ITERATIONS}',
      },
      { T: 'tok-123456', ITERATIONS: '4' },
      'test',
    );
    expect(mcp.maxIterations).toBe(4);
    const [tickets, files] = mcp.servers;
    expect(tickets?.transport).toEqual({
      kind: 'http',
      url: new URL('https://mcp.example.internal/mcp'),
      headers: { authorization: 'Bearer tok-123456' },
    });
    expect(tickets?.toolAllow.map(String)).toEqual(['/^search_/']);
    expect(tickets?.toolDeny).toEqual([]);
    expect(tickets?.timeoutMs).toBe(5000);
    expect(files?.transport).toEqual({
      kind: 'stdio',
      command: 'npx',
      args: ['some-mcp-server'],
      env: { ROOT: '/srv' },
    });
    expect(files?.toolDeny.map(String)).toEqual(['/^delete_/', '/drop/']);
    expect(files?.timeoutMs).toBe(60_000);
  });

  it.each([
    [
      { mcp_servers: [{ name: 'files', command: 'x', tool_deny: '(' }] },
      'MCP server "files" (mcp_servers[0]): tool_deny: "(" is not a valid regular expression (Unterminated group)',
    ],
    [
      { mcp_servers: [{ name: 'files', command: 'x', tool_allow: ['ok', '[z-a]'] }] },
      'MCP server "files" (mcp_servers[0]): tool_allow[1]: "[z-a]" is not a valid regular expression',
    ],
    [
      {
        mcp_servers: [
          { name: 'files', command: 'x' },
          { name: 'files', url: 'http://127.0.0.1:1/mcp' },
        ],
      },
      'MCP server "files" (mcp_servers[1]): name: duplicate MCP server name (also mcp_servers[0])',
    ],
    [
      { mcp_servers: [{ name: 'files' }] },
      'MCP server "files" (mcp_servers[0]): give url (Streamable HTTP) or command (stdio)',
    ],
    [
      { mcp_servers: [{ name: 'files', command: 'x', url: 'http://h/mcp' }] },
      'give url (Streamable HTTP) or command (stdio), not both',
    ],
    [
      { mcp_servers: [{ name: 'files', command: 'x', headers: { a: 'b' } }] },
      'MCP server "files" (mcp_servers[0]): headers: headers are for a Streamable HTTP server',
    ],
    [
      { mcp_servers: [{ name: 'web', url: 'http://h/mcp', args: [] }] },
      'MCP server "web" (mcp_servers[0]): args: args is for a stdio server',
    ],
    [
      { mcp_servers: [{ name: 'Files', command: 'x' }] },
      'MCP server "Files" (mcp_servers[0]): name: must be lower-case letters and digits',
    ],
    [{ mcp_servers: [{ name: 'a'.repeat(33), command: 'x' }] }, 'name: at most 32 characters'],
    [{ mcp_servers: [{ name: 'web', url: 'ftp://h/' }] }, 'url: expected an http(s) URL'],
    [{ mcp_servers: [{ name: 'web', url: 'http://h/', timeout: 0 }] }, 'timeout: must be more'],
    [{ mcp_servers: [{ name: 'web', url: 'http://h/', transport: 'x' }] }, 'unknown field'],
    [
      { mcp_servers: [{ name: 'web', url: 'http://h/', headers: { 'a b': 'c' } }] },
      'headers.a b: a header name may not contain',
    ],
    [{ mcp_max_iterations: 0 }, 'mcp_max_iterations: must be at least 1'],
    [{ mcp_max_iterations: 2.5 }, 'mcp_max_iterations: expected a whole number'],
  ])('%j → %s', (raw, message) => {
    expect(error(raw)).toContain(message);
  });

  it('names a header whose variable is unset without printing any value', () => {
    expect(
      error({
        mcp_servers: [{ name: 'web', url: 'http://h/mcp', headers: { authorization: '${T}' } }],
      }),
    ).toBe(
      'MCP server "web" (mcp_servers[0]): headers.authorization: environment variable T is not set',
    );
  });
});
