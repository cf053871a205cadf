import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { agenticProfiles } from './support/agentic-profiles.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { TestMcpHttpServer } from './support/mcp-http-server.js';
import { syntheticTools } from './support/synthetic-tools.js';

// Enough tools that the upstream body (~20 KB) takes the path where the gateway stops
// holding it once sent: the configuration the open-streams benchmark runs as "full".
const TOOL_COUNT = 20;

let mcp: TestMcpHttpServer;
let dir: string;
beforeAll(async () => {
  mcp = await TestMcpHttpServer.start({ tools: syntheticTools(TOOL_COUNT, 'kb') });
  dir = mkdtempSync(join(tmpdir(), 'switchyard-abort-'));
});
afterAll(async () => {
  await mcp.stop();
  rmSync(dir, { recursive: true, force: true });
});

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(agenticProfiles)('a client hang-up with tools injected: $profile.name', (agentic) => {
  it('closes the upstream stream and records the interception as cancelled', async () => {
    const { profile } = agentic;
    const h = await startHarness({
      providers: [
        { ...profile.provider, keys: [`sk-test-abort-${randomBytes(8).toString('hex')}`] },
      ],
      database: `sqlite:${join(dir, `${profile.name.replace(/\W+/g, '-')}.db`)}`,
      extra: { mcp_servers: [{ name: 'kb', url: mcp.url }] },
    });
    harness = h;
    await expect.poll(() => h.gateway.mcp?.snapshot().tools.length).toBe(TOOL_COUNT);
    let upstreamClosed = false;
    let declared = 0;
    h.upstream.reset(() => (seen, res) => {
      declared = seen.body.length;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const reply = profile.success(true, seen);
      if (typeof reply === 'function' || !('sse' in reply)) throw new Error('expected SSE');
      // All but the closing event (Responses commits only at the first visible output), then
      // nothing: the stream stays open until someone closes it.
      res.write(reply.sse.slice(0, -1).join(''));
      res.on('close', () => {
        upstreamClosed = true;
      });
    });
    const before = h.interceptions.length;
    const controller = new AbortController();
    const response = await request(`${h.url}${profile.route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming: true }),
      },
      body: JSON.stringify(profile.requestBody(true)),
      signal: controller.signal,
    });
    expect(response.statusCode).toBe(200);
    expect(declared).toBeGreaterThan(8 * 1024);
    controller.abort();
    await expect.poll(() => upstreamClosed, { timeout: 5000 }).toBe(true);
    await expect.poll(() => h.interceptions.length, { timeout: 5000 }).toBe(before + 1);
    expect(h.interceptions.at(-1)?.outcome).toBe('cancelled');
  });
});
