import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskedHint } from '../src/log/masked-hint.js';
import {
  anthropicError,
  anthropicStreamError,
  anthropicStreamEvents,
  anthropicToolUseStreamEvents,
} from '../test/support/anthropic-fixtures.js';
import { startHarness, TOKEN, type Harness } from '../test/support/harness.js';
import { TestMcpHttpServer } from '../test/support/mcp-http-server.js';
import type { SeenRequest } from '../test/support/mock-upstream.js';
import { PublicHostTrap } from './support/public-host-trap.js';
import { CLAUDE_BIN, describeRun, runCli, type CliRun } from './support/run-cli.js';
import { makeScratch, type Scratch } from './support/scratch.js';
import { expectNoSecretLogged, expectTokenNotForwarded, providerKey } from './support/secrets.js';

interface Block {
  readonly type: string;
  readonly id?: string;
  readonly name?: string;
  readonly input?: { command?: string };
  readonly text?: string;
  readonly tool_use_id?: string;
  readonly content?: string | readonly Block[];
  readonly is_error?: boolean;
}
interface MessagesBody {
  readonly model: string;
  readonly stream?: boolean;
  readonly tools?: readonly { name: string }[];
  readonly messages: readonly { role: string; content: string | readonly Block[] }[];
}

const bodyOf = (seen: SeenRequest | undefined): MessagesBody =>
  JSON.parse(seen?.body.toString() ?? '{}') as MessagesBody;

const blocksOf = (content: string | readonly Block[] | undefined): readonly Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : (content ?? []);

function toolResultIn(body: MessagesBody, toolUseId: string): Block | undefined {
  return blocksOf(body.messages.at(-1)?.content).find(
    (block) => block.type === 'tool_result' && block.tool_use_id === toolUseId,
  );
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

const keys = [providerKey('sk-ant', 0), providerKey('sk-ant', 1)] as const;
const gatewayLogs: string[] = [];
let harness: Harness;
let scratch: Scratch;
let trap: PublicHostTrap;

beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'anthropic', type: 'anthropic', keys }] });
  scratch = await makeScratch('claude');
  trap = await PublicHostTrap.start();
});
afterEach(async () => {
  gatewayLogs.push(...harness.logs);
  await Promise.all([harness.close(), trap.close(), scratch.remove()]);
  expect(trap.attempts, 'public hosts Claude Code tried to reach').toEqual([]);
});
afterAll(() => {
  expectNoSecretLogged(gatewayLogs, [...keys, TOKEN]);
});

function claude(...args: string[]): Promise<CliRun> {
  return runCli(CLAUDE_BIN, {
    args: ['-p', ...args],
    cwd: scratch.cwd,
    env: {
      HOME: scratch.home,
      ANTHROPIC_BASE_URL: `${harness.url}/anthropic`,
      ANTHROPIC_API_KEY: TOKEN,
      // Without it, each run makes an extra model call and connects to api.anthropic.com.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      // Otherwise a broken stream is quietly repeated without streaming and still succeeds.
      CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK: '1',
      // Failover is the gateway's job: a client retry would hide a 429 the gateway let through.
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      ...trap.env,
    },
  });
}

const keyStates = (): string[] =>
  harness.gateway.providers[0]?.pool.keys.map((key) => key.state()) ?? [];

/** The shell must have run it: the command's text never contains the marker it prints. */
function markerCommand(): { marker: string; command: string } {
  const [head, tail] = [`mark-${hex(3)}`, `-${hex(3)}`];
  return { marker: head + tail, command: `echo '${head}''${tail}'` };
}

describe('Claude Code (claude -p) through the gateway', () => {
  it('prints a streamed answer; the provider sees the pool key and the client headers, never the token', async () => {
    const answer = `The answer is ${hex(4)}.`;
    harness.upstream.script = () => ({ sse: anthropicStreamEvents(answer) });

    const run = await claude('What is the answer?');

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(answer);
    const { requests } = harness.upstream;
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/messages?beta=true']);
    const seen = requests[0];
    expect(seen?.key).toBe(keys[0]);
    expect(seen?.headers['x-api-key']).toBe(keys[0]);
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers['anthropic-beta']).toContain('claude-code-');
    expect(seen?.headers['user-agent']).toMatch(/^claude-cli\/2\.1\.197 /);
    const body = bodyOf(seen);
    expect(body.stream).toBe(true);
    expect(JSON.stringify(body.messages)).toContain('What is the answer?');
    expectTokenNotForwarded(requests, TOKEN);
    expect(harness.interceptions).toMatchObject([
      {
        outcome: 'completed',
        streaming: true,
        credentialKind: 'centralized',
        keyHint: maskedHint(keys[0]),
        attempts: 1,
        // Client detection on what the real Claude Code sent.
        client: {
          name: 'claude-code',
          version: '2.1.197',
          sessionId: seen?.headers['x-claude-code-session-id'],
        },
      },
    ]);
    expect(harness.interceptions[0]?.client.sessionId).toMatch(/\S/);
  });

  it('runs a client-side Bash tool and sends its output back in a tool_result', async () => {
    const { marker, command } = markerCommand();
    const toolUseId = `toolu_e2e_${hex(6)}`;
    const answer = `The command printed ${marker}.`;
    harness.upstream.script = (seen) =>
      toolResultIn(bodyOf(seen), toolUseId) === undefined
        ? {
            sse: anthropicToolUseStreamEvents({
              id: toolUseId,
              name: 'Bash',
              input: { command, description: 'Print the marker' },
            }),
          }
        : { sse: anthropicStreamEvents(answer) };

    const run = await claude('Print the marker.', '--allowedTools', 'Bash(echo:*)');

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(answer);
    const [first, followUp, ...rest] = harness.upstream.requests;
    expect(rest).toHaveLength(0);
    expect(bodyOf(first).tools?.map((tool) => tool.name)).toContain('Bash');
    const followUpBody = bodyOf(followUp);
    const toolUse = blocksOf(followUpBody.messages.at(-2)?.content).find(
      (block) => block.type === 'tool_use',
    );
    expect(toolUse).toMatchObject({ id: toolUseId, name: 'Bash', input: { command } });
    const result = toolResultIn(followUpBody, toolUseId);
    expect(result?.is_error).toBe(false);
    expect(blocksOf(result?.content).map((block) => block.text ?? '')).toEqual([marker]);
    expect(harness.upstream.keysSeen).toEqual([keys[0], keys[0]]);
    expectTokenNotForwarded(harness.upstream.requests, TOKEN);
  });

  it('finishes the session on the next key when the first one answers 429 part-way', async () => {
    const { marker, command } = markerCommand();
    const toolUseId = `toolu_e2e_${hex(6)}`;
    const answer = `Finished on the second key: ${marker}.`;
    harness.upstream.script = (seen) => {
      if (toolResultIn(bodyOf(seen), toolUseId) === undefined)
        return {
          sse: anthropicToolUseStreamEvents({ id: toolUseId, name: 'Bash', input: { command } }),
        };
      if (seen.key === keys[0])
        return {
          status: 429,
          headers: { 'retry-after': '30' },
          body: anthropicError('rate_limit_error', 'This request would exceed your rate limit.'),
        };
      return { sse: anthropicStreamEvents(answer) };
    };

    const run = await claude('Print the marker.', '--allowedTools', 'Bash(echo:*)');

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(answer);
    expect(harness.upstream.keysSeen).toEqual([keys[0], keys[0], keys[1]]);
    const [, refused, retried] = harness.upstream.requests;
    // The same request, byte for byte, went to the next key.
    expect(retried?.body.equals(refused?.body ?? Buffer.alloc(0))).toBe(true);
    expect(toolResultIn(bodyOf(retried), toolUseId)?.content).toBe(marker);
    expect(keyStates()).toEqual(['temporary', 'valid']);
    const cooldown = harness.gateway.providers[0]?.pool.keys[0]?.cooldownRemainingMs() ?? 0;
    expect(cooldown).toBeGreaterThan(20_000);
    expect(cooldown).toBeLessThanOrEqual(30_000);
    // Two calls from Claude Code, the second answered after one failover inside the gateway.
    expect(harness.interceptions.map((i) => [i.attempts, i.keyHint, i.outcome])).toEqual([
      [1, maskedHint(keys[0]), 'completed'],
      [2, maskedHint(keys[1]), 'completed'],
    ]);
    expectTokenNotForwarded(harness.upstream.requests, TOKEN);
  });

  it('gets an answer that needed an injected MCP tool it never saw', async () => {
    const mcp = await TestMcpHttpServer.start({
      tools: [{ name: 'lookup', description: 'Looks up a ticket', behavior: 'echo' }],
    });
    await harness.close();
    harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys }],
      extra: { mcp_servers: [{ name: 'tickets', url: mcp.url }] },
    });
    try {
      const injected = 'mcp_tickets__lookup';
      await expect.poll(() => harness.gateway.mcp?.snapshot().isInjected(injected)).toBe(true);
      const fact = `TICKET-${hex(3)} is assigned to Ada`;
      const toolUseId = `toolu_mcp_${hex(6)}`;
      harness.upstream.script = (seen) =>
        toolResultIn(bodyOf(seen), toolUseId) === undefined
          ? {
              sse: anthropicToolUseStreamEvents({
                id: toolUseId,
                name: injected,
                input: { text: fact },
              }),
            }
          : { sse: anthropicStreamEvents(`The ticket tool says: ${fact}.`) };

      const run = await claude('Who owns the ticket?');

      expect(run.exitCode, describeRun(run)).toBe(0);
      expect(run.stdout.trim()).toBe(`The ticket tool says: ${fact}.`);
      // Claude Code made one call; the gateway made two, the second with the tool's result.
      const [first, continuation, ...rest] = harness.upstream.requests;
      expect(rest).toHaveLength(0);
      expect(bodyOf(first).tools?.map((tool) => tool.name)).toContain(injected);
      expect(toolResultIn(bodyOf(continuation), toolUseId)?.content).toBe(fact);
      expect(mcp.tools.calls).toEqual([{ name: 'lookup', arguments: { text: fact } }]);
      expect(harness.interceptions).toHaveLength(1);
      expect(harness.interceptions[0]?.toolCalls).toMatchObject([
        { server: 'tickets', tool: 'lookup', injected: true },
      ]);
    } finally {
      await mcp.stop();
    }
  });

  it('fails with an API error, not a truncated answer, when the stream breaks mid-way', async () => {
    const answer = `This answer is cut off before it ends ${hex(4)}`;
    const events = anthropicStreamEvents(answer);
    // message_start, content_block_start, ping and the first half of the text.
    const sent = events.slice(0, 4);
    const firstHalf = answer.slice(0, Math.ceil(answer.length / 2));
    expect(sent.join('')).toContain(JSON.stringify(firstHalf));
    harness.upstream.script = () => ({
      sse: [...sent, anthropicStreamError('overloaded_error', 'Overloaded')],
    });

    const run = await claude('What is the answer?');

    expect(run.signal, describeRun(run)).toBeNull();
    expect(run.exitCode, describeRun(run)).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/API Error.*Overloaded/);
    expect(run.stdout).not.toContain(firstHalf);
    // After the first byte there is no failover: one call, one key, nothing marked.
    expect(harness.upstream.keysSeen).toEqual([keys[0]]);
    expect(keyStates()).toEqual(['valid', 'valid']);
    expect(harness.interceptions.map((i) => i.outcome)).toEqual(['upstream_error']);
  });
});
