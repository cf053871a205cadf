import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { anthropicMessages } from '../src/dialects/anthropic-messages/dialect.js';
import { McpHub } from '../src/mcp/mcp-hub.js';
import type { Clock } from '../src/keypool/clock.js';
import { injectedName } from '../src/mcp/tool-naming.js';
import { captureLogger } from './support/capture-logger.js';
import { FakeClock } from './support/fake-clock.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import type { ScriptedToolSpec } from './support/mcp-scripted-tools.js';

interface Started {
  readonly hub: McpHub;
  readonly logs: string[];
}

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

async function httpServer(
  options: Parameters<typeof TestMcpHttpServer.start>[0] = {},
): Promise<TestMcpHttpServer> {
  const server = await TestMcpHttpServer.start(options);
  cleanup.push(() => server.stop());
  return server;
}

/** A hub over `mcp_servers` entries as an operator writes them, first attempts settled. */
async function startHub(servers: unknown[], scheduler?: Clock): Promise<Started> {
  const { mcp } = parseConfig({ mcp_servers: servers }, {}, 'test');
  const { logger, lines } = captureLogger();
  const hub = new McpHub({
    servers: mcp.servers,
    logger,
    ...(scheduler ? { clock: scheduler } : {}),
  });
  cleanup.push(() => hub.close());
  await hub.start();
  return { hub, logs: lines };
}

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

function names(hub: McpHub): string[] {
  return hub.snapshot().tools.map((t) => t.name);
}

function stateOf(hub: McpHub, server: string): string | undefined {
  return hub.status().find((s) => s.name === server)?.state;
}

describe('MCP over Streamable HTTP', () => {
  it('connects, injects the tools in a stable order with their whole schema, and runs them', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { text: { type: 'string' }, opts: { $ref: '#/$defs/opts' } },
      $defs: { opts: { type: 'object', additionalProperties: { type: 'number' } } },
      required: ['text'],
    };
    const tools: ScriptedToolSpec[] = [
      { name: 'zeta', behavior: 'echo' },
      { name: 'echo', description: 'Says it back', inputSchema: schema, behavior: 'echo' },
      { name: 'alpha', behavior: 'echo' },
    ];
    const first = await httpServer({ tools });
    const second = await httpServer({ tools: [{ name: 'echo', behavior: 'echo' }] });
    const { hub } = await startHub([
      { name: 'web', url: first.url },
      { name: 'other', url: second.url },
    ]);

    expect(names(hub)).toEqual([
      'mcp_web__alpha',
      'mcp_web__echo',
      'mcp_web__zeta',
      'mcp_other__echo',
    ]);
    const echo = hub.snapshot().get('mcp_web__echo');
    expect(echo).toMatchObject({ server: 'web', tool: 'echo', description: 'Says it back' });
    // Whole and in the server's key order: what it sent is what the model gets.
    expect(JSON.stringify(echo?.inputSchema)).toBe(JSON.stringify(schema));
    expect(hub.status()).toEqual([
      expect.objectContaining({ name: 'web', transport: 'http', state: 'ready', tools: 3 }),
      expect.objectContaining({ name: 'other', transport: 'http', state: 'ready', tools: 1 }),
    ]);

    const result = await hub.snapshot().call('mcp_other__echo', '{"text":"hello"}');
    expect(result).toMatchObject({
      text: 'hello',
      isError: false,
      failure: undefined,
      server: 'other',
      tool: 'echo',
    });
    expect(second.tools.calls).toEqual([{ name: 'echo', arguments: { text: 'hello' } }]);
    expect(first.tools.calls).toEqual([]);
  });

  it('sends the configured headers and keeps their values out of errors and logs', async () => {
    const secret = 'Bearer sk-mcp-right-0123456789';
    const wrong = 'Bearer sk-mcp-wrong-9876543210';
    const server = await httpServer({ requireHeaders: { authorization: secret } });
    const good = await startHub([
      { name: 'web', url: server.url, headers: { authorization: secret } },
    ]);
    expect(stateOf(good.hub, 'web')).toBe('ready');
    expect(server.seenHeaders.every((h) => h.authorization === secret)).toBe(true);

    const bad = await startHub(
      [{ name: 'web', url: server.url, headers: { authorization: wrong } }],
      new FakeClock(),
    );
    const [status] = bad.hub.status();
    expect(status?.state).toBe('down');
    expect(status?.lastError).toContain('unauthorized');
    expect(status?.lastError).toContain('…3210');
    expect(status?.lastError).not.toContain('wrong-9876543210');
    expect(bad.logs.join('')).toContain('MCP server unavailable');
    expect(bad.logs.join('')).not.toContain('9876543210');
    expect(bad.hub.snapshot().tools).toEqual([]);
  });

  it('injects only allowed tools, and deny wins over allow', async () => {
    const server = await httpServer();
    const { hub } = await startHub([
      { name: 'web', url: server.url, tool_allow: ['^e', 'slow'], tool_deny: '^error' },
    ]);
    // error_result matches the allow pattern ^e, but also the deny pattern.
    expect(names(hub)).toEqual(['mcp_web__echo', 'mcp_web__slow']);
    const denied = await hub.snapshot().call('mcp_web__error_result', '{}');
    expect(denied).toMatchObject({ isError: true, failure: 'unknown_tool' });
    expect(server.tools.calls).toEqual([]);
  });

  it('applies new filters on reconfigure without reconnecting, and drops removed servers', async () => {
    const server = await httpServer();
    const extra = await httpServer({ tools: [{ name: 'ping', behavior: 'echo' }] });
    const { hub } = await startHub([{ name: 'web', url: server.url, tool_allow: '^echo$' }]);
    expect(names(hub)).toEqual(['mcp_web__echo']);

    const settings = (servers: unknown[]) =>
      parseConfig({ mcp_servers: servers }, {}, 'test').mcp.servers;
    await hub.reconfigure(
      settings([
        { name: 'web', url: server.url, tool_allow: '^(echo|slow)$' },
        { name: 'extra', url: extra.url },
      ]),
    );
    expect(names(hub)).toEqual(['mcp_web__echo', 'mcp_web__slow', 'mcp_extra__ping']);
    expect(server.sessionCount).toBe(1);

    await hub.reconfigure(settings([{ name: 'extra', url: extra.url }]));
    expect(names(hub)).toEqual(['mcp_extra__ping']);
    expect(hub.status().map((s) => s.name)).toEqual(['extra']);
  });

  it('refreshes the snapshot on tools/list_changed, and equal lists encode to equal bytes', async () => {
    const server = await httpServer();
    const { hub } = await startHub([{ name: 'web', url: server.url }]);
    const before = hub.snapshot();
    const bytes = anthropicMessages.tools.declarations(before.tools);
    // No change, no new snapshot: the same array, so the same cached bytes.
    expect(hub.snapshot()).toBe(before);
    expect(anthropicMessages.tools.declarations(hub.snapshot().tools)).toBe(bytes);

    server.tools.add({ name: 'fresh', description: 'Added later', behavior: 'echo' });
    await until(hub, () => hub.snapshot().isInjected('mcp_web__fresh'));
    expect(hub.snapshot().version).toBeGreaterThan(before.version);
    // The snapshot a request already holds does not change under it.
    expect(before.isInjected('mcp_web__fresh')).toBe(false);

    // Through a tool call this time: the server changes its list while answering.
    const removed = await hub.snapshot().call('mcp_web__remove_tool', '{"name":"fresh"}');
    expect(removed.text).toBe('removed fresh');
    await until(hub, () => !hub.snapshot().isInjected('mcp_web__fresh'));
    expect(names(hub)).toEqual(before.tools.map((t) => t.name));
    expect(anthropicMessages.tools.declarations(hub.snapshot().tools).equals(bytes)).toBe(true);
  });

  it('turns a tool that throws, reports an error, or gets bad arguments into error results', async () => {
    const server = await httpServer();
    const { hub } = await startHub([{ name: 'web', url: server.url }]);
    const tools = hub.snapshot();
    expect(await tools.call('mcp_web__throw', '{}')).toMatchObject({
      isError: true,
      failure: 'tool_error',
      text: expect.stringContaining('the tool broke on purpose') as unknown,
    });
    expect(await tools.call('mcp_web__error_result', '')).toMatchObject({
      isError: true,
      failure: 'tool_error',
      text: 'the tool reported a failure',
    });
    expect(await tools.call('mcp_web__echo', '[1,2]')).toMatchObject({
      isError: true,
      failure: 'invalid_arguments',
      text: expect.stringContaining('not a JSON object') as unknown,
    });
    expect(await tools.call('mcp_web__echo', '{"text":')).toMatchObject({
      failure: 'invalid_arguments',
    });
    expect(await tools.call('mcp_nowhere__echo', '{}')).toMatchObject({
      isError: true,
      failure: 'unknown_tool',
    });
    expect(server.tools.calls.map((c) => c.name)).toEqual(['throw', 'error_result']);
    // The server is still fine.
    expect(await tools.call('mcp_web__echo', '{"text":"ok"}')).toMatchObject({ text: 'ok' });
  });

  it('gives a timeout result when a tool does not answer within the server timeout', async () => {
    const scheduler = new FakeClock();
    const server = await httpServer();
    const { hub } = await startHub([{ name: 'web', url: server.url, timeout: '30s' }], scheduler);
    const pending = hub.snapshot().call('mcp_web__slow', '{"ms":3600000}');
    await server.tools.called('slow');
    scheduler.advance(29_999);
    scheduler.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ isError: true, failure: 'timeout', tool: 'slow' });
    expect(result.text).toContain('30 s');
    expect(result.durationMs).toBe(30_000);
    // A per-call limit overrides the server's.
    const quick = hub.snapshot().call('mcp_web__slow', '{"ms":3600000}', { timeoutMs: 500 });
    await server.tools.called('slow', 2);
    scheduler.advance(500);
    expect(await quick).toMatchObject({ failure: 'timeout' });
    expect(stateOf(hub, 'web')).toBe('ready');
  });

  it('gives a cancelled result when the caller aborts', async () => {
    const server = await httpServer();
    const { hub } = await startHub([{ name: 'web', url: server.url }]);
    const controller = new AbortController();
    const pending = hub.snapshot().call('mcp_web__slow', '{"ms":3600000}', {
      signal: controller.signal,
    });
    await server.tools.called('slow');
    controller.abort();
    expect(await pending).toMatchObject({ isError: true, failure: 'cancelled' });
  });

  it('keeps running when a server is down at startup, and takes it in when it comes back', async () => {
    const scheduler = new FakeClock();
    const probe = await TestMcpHttpServer.start();
    const port = probe.port;
    await probe.stop();
    const up = await httpServer();
    const { hub, logs } = await startHub(
      [
        { name: 'late', url: `http://127.0.0.1:${port}/mcp` },
        { name: 'up', url: up.url },
      ],
      scheduler,
    );
    // The other server is served meanwhile.
    expect(names(hub)).toContain('mcp_up__echo');
    expect(names(hub).every((n) => n.startsWith('mcp_up__'))).toBe(true);
    const [late] = hub.status();
    expect(late).toMatchObject({ name: 'late', state: 'down', tools: 0, retryInMs: 1000 });
    expect(late?.lastError).toContain('ECONNREFUSED');
    expect(logs.join('')).toContain('MCP server unavailable');

    // Exponential backoff: 1 s, then 2 s, then 4 s …
    scheduler.advance(999);
    expect(stateOf(hub, 'late')).toBe('down');
    scheduler.advance(1);
    expect(stateOf(hub, 'late')).toBe('connecting');
    await until(hub, () => stateOf(hub, 'late') === 'down');
    expect(scheduler.pending).toEqual([2000]);

    const server = await httpServer({ port, tools: [{ name: 'echo', behavior: 'echo' }] });
    expect(server.port).toBe(port);
    scheduler.advance(2000);
    await until(hub, () => stateOf(hub, 'late') === 'ready');
    expect(hub.snapshot().isInjected('mcp_late__echo')).toBe(true);
    expect(hub.status()[0]).toMatchObject({ state: 'ready', tools: 1, lastError: undefined });
    expect(await hub.snapshot().call('mcp_late__echo', '{"text":"back"}')).toMatchObject({
      text: 'back',
    });
  });

  it('connects servers concurrently and gives up on a silent one after its timeout', async () => {
    // Accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as { port: number };
    const up = await httpServer();
    const scheduler = new FakeClock();
    const { mcp } = parseConfig(
      {
        mcp_servers: [
          { name: 'silent', url: `http://127.0.0.1:${port}/mcp`, timeout: '10s' },
          { name: 'up', url: up.url },
        ],
      },
      {},
      'test',
    );
    const { logger } = captureLogger();
    const hub = new McpHub({ servers: mcp.servers, logger, clock: scheduler });
    cleanup.push(() => hub.close());
    const started = hub.start();
    await until(hub, () => stateOf(hub, 'up') === 'ready');
    expect(stateOf(hub, 'silent')).toBe('connecting');
    expect(names(hub).length).toBeGreaterThan(0);

    scheduler.advance(10_000);
    await started;
    expect(hub.status()[0]).toMatchObject({ state: 'down', retryInMs: 1000 });
    expect(hub.status()[0]?.lastError).toContain('no answer within 10 s');
  });

  it('reconnects after the server drops, with a new session', async () => {
    const scheduler = new FakeClock();
    const server = await httpServer();
    const { hub, logs } = await startHub([{ name: 'web', url: server.url }], scheduler);
    const held = hub.snapshot();

    await server.stop();
    await until(hub, () => stateOf(hub, 'web') === 'down');
    expect(names(hub)).toEqual([]);
    expect(logs.join('')).toContain('MCP server connection lost');
    // A request still holding the old snapshot gets an error result, not an exception.
    expect(await held.call('mcp_web__echo', '{"text":"x"}')).toMatchObject({
      isError: true,
      failure: 'server_unavailable',
    });

    await server.restart();
    scheduler.advance(1000);
    await until(hub, () => stateOf(hub, 'web') === 'ready');
    expect(names(hub)).toEqual(held.tools.map((t) => t.name));
    expect(await hub.snapshot().call('mcp_web__echo', '{"text":"again"}')).toMatchObject({
      text: 'again',
    });
  });
});

describe('injected names', () => {
  it('never collide: per server, cut to 64 characters, and deterministic', async () => {
    const long = `search_${'across_every_repository_'.repeat(3)}`;
    const literal = injectedName('docs', 'get.page').slice('mcp_docs__'.length);
    const docs = await httpServer({
      tools: [
        { name: 'echo', behavior: 'echo' },
        { name: `${long}by_name`, behavior: 'echo' },
        { name: `${long}by_owner`, behavior: 'echo' },
        { name: 'get.page', behavior: 'echo' },
        // Exactly the name get.page is given: a real collision, resolved in order.
        { name: literal, behavior: 'echo' },
      ],
    });
    const code = await httpServer({ tools: [{ name: 'echo', behavior: 'echo' }] });
    const servers = [
      { name: 'docs', url: docs.url },
      { name: 'code', url: code.url },
    ];
    const { hub, logs } = await startHub(servers);
    const tools = hub.snapshot().tools;
    expect(new Set(tools.map((t) => t.name)).size).toBe(6);
    expect(tools.every((t) => /^[a-zA-Z0-9_-]{1,64}$/.test(t.name))).toBe(true);
    const byTool = new Map(tools.map((t) => [`${t.server}/${t.tool}`, t.name]));
    expect(byTool.get('docs/echo')).toBe('mcp_docs__echo');
    expect(byTool.get('code/echo')).toBe('mcp_code__echo');
    expect(byTool.get(`docs/${long}by_name`)).toHaveLength(64);
    expect(byTool.get('docs/get.page')).toBe(injectedName('docs', 'get.page'));
    expect(byTool.get(`docs/${literal}`)).toBe(injectedName('docs', literal, 1));
    expect(logs.join('')).toContain('MCP tool name collision between MCP tools');

    // Another gateway (or this one after a restart) names them the same.
    const again = await startHub(servers);
    expect(names(again.hub)).toEqual(tools.map((t) => t.name));

    const result = await hub.snapshot().call(injectedName('docs', literal, 1), '{"text":"lit"}');
    expect(result).toMatchObject({ tool: literal, text: 'lit' });
  });

  it("move off a client tool's name for that request only, and say so once", async () => {
    const server = await httpServer();
    const { hub, logs } = await startHub([{ name: 'web', url: server.url }]);
    const snapshot = hub.snapshot();
    expect(snapshot.avoiding(new Set(['Bash', 'mcp_web__nothing']))).toBe(snapshot);

    const client = new Set(['mcp_web__echo']);
    const tools = snapshot.avoiding(client);
    const renamed = injectedName('web', 'echo', 1);
    expect(tools.isInjected('mcp_web__echo')).toBe(false);
    expect(tools.get(renamed)).toMatchObject({ server: 'web', tool: 'echo' });
    expect(tools.tools.map((t) => t.name)).toEqual(
      snapshot.tools.map((t) => (t.name === 'mcp_web__echo' ? renamed : t.name)),
    );
    expect(snapshot.avoiding(client).tools.map((t) => t.name)).toEqual(
      tools.tools.map((t) => t.name),
    );
    const collisionLines = logs.filter((l) => l.includes('with a tool of the client'));
    expect(collisionLines).toHaveLength(1);
    expect(await tools.call(renamed, '{"text":"mine"}')).toMatchObject({ text: 'mine' });
  });
});
