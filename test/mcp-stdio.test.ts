import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { McpHub } from '../src/mcp/mcp-hub.js';
import { captureLogger } from './support/capture-logger.js';
import { FakeClock } from './support/fake-clock.js';
import { stdioServerConfig } from './support/mcp-stdio-command.js';

/** Resolves once `predicate` holds, checked after every change the hub reports. */
function until(hub: McpHub, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = hub.subscribe(() => {
      if (predicate()) {
        stop();
        resolve();
      }
    });
  });
}

describe('a stdio server that cannot start', () => {
  it('is reported down with the reason and retried', async () => {
    const { mcp } = parseConfig(
      { mcp_servers: [{ name: 'broken', command: '/nonexistent/mcp-server' }] },
      {},
      'test',
    );
    const { logger } = captureLogger();
    const hub = new McpHub({ servers: mcp.servers, logger, clock: new FakeClock() });
    await hub.start();
    expect(hub.status()[0]).toMatchObject({ state: 'down', tools: 0, retryInMs: 1000 });
    expect(hub.status()[0]?.lastError).toContain('ENOENT');
    await hub.close();
  });
});

/** One child process for the whole file: spawning a TypeScript server takes a moment. */
describe('MCP over stdio', () => {
  const scheduler = new FakeClock();
  const PARENT_SECRET = 'SWITCHYARD_TEST_PARENT_SECRET';
  let hub: McpHub;
  let logs: string[];

  beforeAll(async () => {
    process.env[PARENT_SECRET] = 'sk-parent-secret-value';
    const { mcp } = parseConfig(
      {
        mcp_servers: [
          stdioServerConfig('local', { env: { CONFIGURED_VAR: 'configured-value-42' } }),
        ],
      },
      {},
      'test',
    );
    const captured = captureLogger();
    logs = captured.lines;
    hub = new McpHub({ servers: mcp.servers, logger: captured.logger, clock: scheduler });
    await hub.start();
  });

  afterAll(async () => {
    delete process.env.SWITCHYARD_TEST_PARENT_SECRET;
    await hub.close();
  });

  const state = (): string | undefined => hub.status()[0]?.state;

  it('spawns the server and runs its tools', async () => {
    expect(hub.status()).toEqual([
      expect.objectContaining({ name: 'local', transport: 'stdio', state: 'ready', tools: 8 }),
    ]);
    expect(hub.snapshot().tools.map((t) => t.name)).toEqual([
      'mcp_local__add_tool',
      'mcp_local__echo',
      'mcp_local__env',
      'mcp_local__error_result',
      'mcp_local__exit',
      'mcp_local__remove_tool',
      'mcp_local__slow',
      'mcp_local__throw',
    ]);
    expect(await hub.snapshot().call('mcp_local__echo', '{"text":"over stdio"}')).toMatchObject({
      text: 'over stdio',
      isError: false,
    });
    // The child's stderr goes to the gateway's log, not to the protocol.
    expect(logs.join('')).toContain('test MCP server listening on stdio');
  });

  it('passes the configured environment and none of the gateway secrets', async () => {
    const result = await hub.snapshot().call('mcp_local__env', '{}');
    const names = result.text.split(',');
    expect(names).toContain('CONFIGURED_VAR');
    expect(names).toContain('PATH');
    expect(names).not.toContain(PARENT_SECRET);
  });

  it('turns a tool that throws or reports an error into error results', async () => {
    expect(await hub.snapshot().call('mcp_local__throw', '{}')).toMatchObject({
      isError: true,
      failure: 'tool_error',
    });
    expect(await hub.snapshot().call('mcp_local__error_result', '{}')).toMatchObject({
      isError: true,
      text: 'the tool reported a failure',
    });
  });

  it('refreshes the snapshot on tools/list_changed', async () => {
    const before = hub.snapshot();
    await hub.snapshot().call('mcp_local__add_tool', '{"name":"added"}');
    await until(hub, () => hub.snapshot().isInjected('mcp_local__added'));
    expect(hub.snapshot().version).toBeGreaterThan(before.version);
    expect(await hub.snapshot().call('mcp_local__added', '{"text":"new"}')).toMatchObject({
      text: 'new',
    });
  });

  it('respawns the process after it exits', async () => {
    const held = hub.snapshot();
    expect(await held.call('mcp_local__exit', '{}')).toMatchObject({ text: 'bye' });
    await until(hub, () => state() === 'down');
    expect(hub.status()[0]?.lastError).toContain('the server process exited');
    expect(hub.snapshot().tools).toEqual([]);
    expect(await held.call('mcp_local__echo', '{"text":"x"}')).toMatchObject({
      failure: 'server_unavailable',
    });

    scheduler.advance(1000);
    await until(hub, () => state() === 'ready');
    // A fresh process: the tool added at runtime is gone again.
    expect(hub.snapshot().isInjected('mcp_local__added')).toBe(false);
    expect(await hub.snapshot().call('mcp_local__echo', '{"text":"back"}')).toMatchObject({
      text: 'back',
    });
  });
});
