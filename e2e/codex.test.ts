import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskedHint } from '../src/log/masked-hint.js';
import { startHarness, TOKEN, type Harness } from '../test/support/harness.js';
import { TestMcpHttpServer } from '../test/support/mcp-http-server.js';
import type { SeenRequest } from '../test/support/mock-upstream.js';
import {
  openaiError,
  responsesFunctionCallStreamEvents,
  responsesStreamEvents,
} from '../test/support/openai-fixtures.js';
import { PublicHostTrap } from './support/public-host-trap.js';
import { CODEX_BIN, describeRun, runCli, type CliRun } from './support/run-cli.js';
import { makeScratch, type Scratch } from './support/scratch.js';
import { expectNoSecretLogged, expectTokenNotForwarded, providerKey } from './support/secrets.js';

interface FunctionTool {
  readonly type: string;
  readonly name?: string;
  readonly parameters?: { properties?: Record<string, { type?: string }> };
}
interface InputItem {
  readonly type?: string;
  readonly role?: string;
  readonly call_id?: string;
  readonly name?: string;
  readonly arguments?: string;
  readonly output?: unknown;
}
interface ResponsesBody {
  readonly model: string;
  readonly stream?: boolean;
  readonly store?: boolean;
  readonly tools?: readonly FunctionTool[];
  readonly input: readonly InputItem[];
}

const bodyOf = (seen: SeenRequest | undefined): ResponsesBody =>
  JSON.parse(seen?.body.toString() ?? '{}') as ResponsesBody;

const outputOf = (body: ResponsesBody, callId: string): InputItem | undefined =>
  body.input.find((item) => item.type === 'function_call_output' && item.call_id === callId);

/**
 * Codex's shell tool as this Codex declares it: a function taking the command line as a
 * string `cmd` (`exec_command` in 0.169). Found by its schema so a rename shows up as a
 * clear failure listing the declared tools.
 */
const shellToolOf = (body: ResponsesBody): FunctionTool | undefined =>
  body.tools?.find(
    (tool) => tool.type === 'function' && tool.parameters?.properties?.['cmd']?.type === 'string',
  );

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

const keys = [providerKey('sk-oai', 0), providerKey('sk-oai', 1)] as const;
const gatewayLogs: string[] = [];
let harness: Harness;
let scratch: Scratch;
let trap: PublicHostTrap;

beforeEach(async () => {
  harness = await startHarness({ providers: [{ name: 'openai', type: 'openai', keys }] });
  scratch = await makeScratch('codex');
  trap = await PublicHostTrap.start();
  await writeCodexConfig(`${harness.url}/openai/v1`);
});
afterEach(async () => {
  gatewayLogs.push(...harness.logs);
  await Promise.all([harness.close(), trap.close(), scratch.remove()]);
  expect(trap.attempts, 'public hosts Codex tried to reach').toEqual([]);
});
afterAll(() => {
  expectNoSecretLogged(gatewayLogs, [...keys, TOKEN]);
});

async function writeCodexConfig(baseUrl: string, again = false): Promise<void> {
  const dir = join(scratch.home, '.codex');
  if (!again) await mkdir(dir);
  const config = [
    'model = "gpt-5"',
    'model_provider = "switchyard"',
    '',
    // Without these two, every run calls github.com, api.github.com, chatgpt.com (curated
    // plugin sync) and ab.chatgpt.com (metrics): 4-5 s more where DNS never answers.
    '[analytics]',
    'enabled = false',
    '[features]',
    'plugins = false',
    '',
    '[model_providers.switchyard]',
    'name = "Switchyard"',
    `base_url = "${baseUrl}"`,
    'env_key = "SWITCHYARD_TOKEN"',
    'wire_api = "responses"',
    // Failover is the gateway's job: a client retry would hide a 429 the gateway let through.
    'request_max_retries = 0',
    'stream_max_retries = 0',
  ];
  await writeFile(join(dir, 'config.toml'), `${config.join('\n')}\n`);
}

/** One `codex exec` turn; `answer` is what Codex wrote with -o, undefined if nothing. */
async function codex(prompt: string): Promise<{ run: CliRun; answer: string | undefined }> {
  const answerFile = join(scratch.home, 'last-message.txt');
  const run = await runCli(CODEX_BIN, {
    args: [
      'exec',
      '--skip-git-repo-check',
      '--ephemeral',
      // The model's commands are ours (an echo) and the cwd is a scratch directory; the
      // sandbox would need user namespaces that CI containers may not grant.
      '--dangerously-bypass-approvals-and-sandbox',
      '-o',
      answerFile,
      prompt,
    ],
    cwd: scratch.cwd,
    env: { HOME: scratch.home, SWITCHYARD_TOKEN: TOKEN, ...trap.env },
  });
  const answer = await readFile(answerFile, 'utf8').catch(() => undefined);
  return { run, answer: answer?.trim() };
}

const keyStates = (): string[] =>
  harness.gateway.providers[0]?.pool.keys.map((key) => key.state()) ?? [];

describe('Codex (codex exec) through the gateway', () => {
  it('writes the streamed answer; the provider sees the pool key and the client headers, never the token', async () => {
    const answer = `The answer is ${hex(4)}.`;
    harness.upstream.script = () => ({ sse: responsesStreamEvents(answer) });

    const { run, answer: written } = await codex('What is the answer?');

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(written, describeRun(run)).toBe(answer);
    const { requests } = harness.upstream;
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/responses']);
    const seen = requests[0];
    expect(seen?.headers.authorization).toBe(`Bearer ${keys[0]}`);
    expect(seen?.headers['x-api-key']).toBeUndefined();
    expect(seen?.headers.originator).toBe('codex_exec');
    expect(seen?.headers['user-agent']).toMatch(/^codex_exec\/0\.169\.0 /);
    expect(seen?.headers['session-id']).toBeDefined();
    const body = bodyOf(seen);
    expect(body).toMatchObject({ model: 'gpt-5', stream: true, store: false });
    expect(JSON.stringify(body.input)).toContain('What is the answer?');
    expectTokenNotForwarded(requests, TOKEN);
    expect(harness.interceptions).toMatchObject([
      {
        dialect: 'openai-responses',
        outcome: 'completed',
        streaming: true,
        keyHint: maskedHint(keys[0]),
        attempts: 1,
        // Client detection on what the real codex exec sent.
        client: { name: 'codex', version: '0.169.0', sessionId: seen?.headers['session-id'] },
      },
    ]);
    expect(harness.interceptions[0]?.client.sessionId).toMatch(/\S/);
  });

  it('runs its shell tool and sends the output back as function_call_output', async () => {
    const [head, tail] = [`mark-${hex(3)}`, `-${hex(3)}`];
    const marker = head + tail;
    // The shell must have run it: the command's text never contains the marker it prints.
    const command = `echo '${head}''${tail}'`;
    const callId = `call_e2e_${hex(6)}`;
    const answer = `The command printed ${marker}.`;
    harness.upstream.script = (seen) => {
      const body = bodyOf(seen);
      if (outputOf(body, callId) !== undefined) return { sse: responsesStreamEvents(answer) };
      const shell = shellToolOf(body);
      if (shell?.name === undefined)
        return { status: 400, body: openaiError(400, 'the mock found no shell tool') };
      return {
        sse: responsesFunctionCallStreamEvents({
          callId,
          name: shell.name,
          arguments: JSON.stringify({ cmd: command }),
        }),
      };
    };

    const { run, answer: written } = await codex('Print the marker.');

    const [first, followUp, ...rest] = harness.upstream.requests;
    const declared = bodyOf(first).tools?.map((tool) => tool.name);
    expect(shellToolOf(bodyOf(first)), `declared tools: ${String(declared)}`).toBeDefined();
    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(written, describeRun(run)).toBe(answer);
    expect(rest).toHaveLength(0);
    const followUpBody = bodyOf(followUp);
    expect(
      followUpBody.input.find((item) => item.type === 'function_call' && item.call_id === callId),
    ).toMatchObject({
      name: shellToolOf(bodyOf(first))?.name,
      arguments: JSON.stringify({ cmd: command }),
    });
    const output = outputOf(followUpBody, callId)?.output;
    expect(typeof output).toBe('string');
    expect(output).toContain(marker);
    expect(output).toMatch(/exited with code 0/);
    expect(harness.upstream.keysSeen).toEqual([keys[0], keys[0]]);
    expectTokenNotForwarded(harness.upstream.requests, TOKEN);
  });

  it('gets an answer that needed an injected MCP tool it never saw', async () => {
    const mcp = await TestMcpHttpServer.start({
      tools: [{ name: 'lookup', description: 'Looks up a ticket', behavior: 'echo' }],
    });
    await harness.close();
    harness = await startHarness({
      providers: [{ name: 'openai', type: 'openai', keys }],
      extra: { mcp_servers: [{ name: 'tickets', url: mcp.url }] },
    });
    await writeCodexConfig(`${harness.url}/openai/v1`, true);
    try {
      const injected = 'mcp_tickets__lookup';
      await expect.poll(() => harness.gateway.mcp?.snapshot().isInjected(injected)).toBe(true);
      const fact = `TICKET-${hex(3)} is assigned to Ada`;
      const callId = `call_mcp_${hex(6)}`;
      harness.upstream.script = (seen) =>
        outputOf(bodyOf(seen), callId) === undefined
          ? {
              sse: responsesFunctionCallStreamEvents({
                callId,
                name: injected,
                arguments: JSON.stringify({ text: fact }),
              }),
            }
          : { sse: responsesStreamEvents(`The ticket tool says: ${fact}.`) };

      const { run, answer } = await codex('Who owns the ticket?');

      expect(run.exitCode, describeRun(run)).toBe(0);
      expect(answer, describeRun(run)).toBe(`The ticket tool says: ${fact}.`);
      const [first, continuation, ...rest] = harness.upstream.requests;
      expect(rest).toHaveLength(0);
      expect(bodyOf(first).tools?.map((tool) => tool.name)).toContain(injected);
      expect(outputOf(bodyOf(continuation), callId)?.output).toBe(fact);
      expect(mcp.tools.calls).toEqual([{ name: 'lookup', arguments: { text: fact } }]);
      expect(harness.interceptions[0]?.toolCalls).toMatchObject([
        { server: 'tickets', tool: 'lookup', injected: true },
      ]);
    } finally {
      await mcp.stop();
    }
  });

  it('gets its answer from the next key when the first one answers 429', async () => {
    const answer = `Answered by the second key ${hex(4)}.`;
    harness.upstream.script = (seen) =>
      seen.key === keys[0]
        ? {
            status: 429,
            headers: { 'retry-after': '30' },
            body: openaiError(429, 'Rate limit reached for requests'),
          }
        : { sse: responsesStreamEvents(answer) };

    const { run, answer: written } = await codex('What is the answer?');

    expect(run.exitCode, describeRun(run)).toBe(0);
    expect(written, describeRun(run)).toBe(answer);
    expect(harness.upstream.keysSeen).toEqual([keys[0], keys[1]]);
    const [refused, retried] = harness.upstream.requests;
    expect(retried?.body.equals(refused?.body ?? Buffer.alloc(0))).toBe(true);
    expect(retried?.headers.authorization).toBe(`Bearer ${keys[1]}`);
    expect(keyStates()).toEqual(['temporary', 'valid']);
    // One call from Codex, answered after one failover inside the gateway.
    expect(harness.interceptions.map((i) => [i.attempts, i.keyHint, i.outcome])).toEqual([
      [2, maskedHint(keys[1]), 'completed'],
    ]);
    expectTokenNotForwarded(harness.upstream.requests, TOKEN);
  });
});
