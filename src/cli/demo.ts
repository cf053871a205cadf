import { mkdtempSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import pretty from 'pino-pretty';
import { parseConfig, parseListen } from '../config/load.js';
import { DEMO_KEYS, startSimulatedAnthropic } from '../demo/simulated-anthropic.js';
import { Gateway } from '../gateway.js';
import { createLogger } from '../log/logger.js';
import { waitForSignal } from './lifecycle.js';

const DEMO_TOKEN = 'demo-gateway-token';
const DEMO_ADMIN_TOKEN = 'demo-admin-token';

interface KeyView {
  hint: string;
  state: string;
  cooldown_remaining_ms: number;
}

async function keyStates(base: string): Promise<KeyView[]> {
  const response = await request(`${base}/admin/api/providers`, {
    headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}` },
  });
  const providers = (await response.body.json()) as { keys: KeyView[] }[];
  return providers[0]?.keys ?? [];
}

interface RecordedView {
  id: string;
  user: string;
  model: string;
  attempts: number;
  credential_hint: string | null;
  outcome: string;
  usage: { input: number; output: number };
}

/**
 * The request's record as the admin API lists it. Recording is asynchronous (a batch a
 * moment later), so the list is asked a few times.
 */
async function recorded(base: string, id: string): Promise<RecordedView | undefined> {
  for (let tries = 0; tries < 40; tries++) {
    const response = await request(`${base}/admin/api/interceptions?limit=10`, {
      headers: { authorization: `Bearer ${DEMO_ADMIN_TOKEN}` },
    });
    if (response.statusCode === 200) {
      const { items } = (await response.body.json()) as { items: RecordedView[] };
      const found = items.find((item) => item.id === id);
      if (found !== undefined) return found;
    } else {
      await response.body.dump();
    }
    await sleep(50);
  }
  return undefined;
}

function describeRecord(record: RecordedView | undefined, id: string): string {
  if (record === undefined) return `  ${id}: not recorded yet (the log line above has it)`;
  return [
    `  ${record.id}  user ${record.user}, model ${record.model}, ${record.outcome}`,
    `  ${record.attempts} attempts; served by key ${record.credential_hint ?? '-'}; tokens in ${record.usage.input}, out ${record.usage.output}`,
  ].join('\n');
}

function describeKeys(keys: readonly KeyView[]): string {
  return keys
    .map((k, i) => {
      const cooldown =
        k.state === 'temporary'
          ? ` (cooling down ${Math.ceil(k.cooldown_remaining_ms / 1000)}s)`
          : '';
      return `    key ${i} ${k.hint}: ${k.state}${cooldown}`;
    })
    .join('\n');
}

export async function demo(args: { listen: string }): Promise<number> {
  const provider = await startSimulatedAnthropic();
  const recordsDir = mkdtempSync(join(tmpdir(), 'switchyard-demo-'));
  const cleanup = (): void => {
    provider.server.close();
    rmSync(recordsDir, { recursive: true, force: true });
  };
  const config = parseConfig(
    {
      listen: args.listen,
      providers: [
        {
          name: 'anthropic',
          type: 'anthropic',
          base_url: provider.url,
          keys: [DEMO_KEYS.rateLimited, DEMO_KEYS.healthy],
        },
      ],
      auth: { allow_byok: true, tokens: [{ user: 'demo', token: DEMO_TOKEN }] },
      admin: { token: DEMO_ADMIN_TOKEN },
      // Never the working directory's ./switchyard.db: the demo's records are throwaway.
      database: `sqlite:${join(recordsDir, 'demo.db')}`,
    },
    undefined,
    'demo',
  );
  const logger = createLogger({
    destination: pretty({
      destination: 2,
      colorize: process.stderr.isTTY,
      ignore: 'pid,hostname',
      singleLine: true,
    }),
  });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ config, logger }, parseListen(args.listen));
  } catch (error) {
    process.stderr.write(
      `switchyard demo: cannot listen on ${args.listen}: ${(error as Error).message}\nTry: switchyard demo --listen 127.0.0.1:8181\n`,
    );
    cleanup();
    return 1;
  }
  const base = gateway.url;
  const out = (text: string): boolean => process.stdout.write(`${text}\n`);

  out(`\nSwitchyard demo — gateway on ${base}, simulated Anthropic provider on ${provider.url}`);
  out(`The provider's pool has two keys; the first one always answers 429.\n`);
  out(`Key states before the first request:\n${describeKeys(await keyStates(base))}\n`);
  const response = await request(`${base}/anthropic/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': DEMO_TOKEN,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'claude-demo',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hello, gateway!' }],
    }),
  });
  const answer = (await response.body.json()) as { content?: { text?: string }[] };
  out(`POST /anthropic/v1/messages → HTTP ${response.statusCode}`);
  out(`  ${answer.content?.[0]?.text ?? JSON.stringify(answer)}\n`);
  out(
    `Key states after it (key 0 answered 429, the gateway failed over to key 1):\n${describeKeys(await keyStates(base))}\n`,
  );
  const id = String(response.headers['x-switchyard-request-id'] ?? '');
  out(`Recorded (GET /admin/api/interceptions, into a throwaway SQLite file):`);
  out(`${describeRecord(await recorded(base, id), id)}\n`);
  out(`Dashboard: ${base}/admin  (admin token: ${DEMO_ADMIN_TOKEN})`);
  out(`  or, signed in already: ${base}/admin#token=${DEMO_ADMIN_TOKEN}\n`);
  out(`Try it yourself (the gateway token is "${DEMO_TOKEN}"):

  # a request; key 0 is skipped while it cools down
  curl -s ${base}/anthropic/v1/messages -H 'x-api-key: ${DEMO_TOKEN}' \\
    -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\
    -d '{"model":"claude-demo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}'

  # key states, and putting key 0 back in service
  curl -s ${base}/admin/api/providers -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'
  curl -s -X POST ${base}/admin/api/providers/anthropic/keys/0/enable -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'

  # what was recorded: the interceptions, one in detail, usage per model
  curl -s '${base}/admin/api/interceptions?limit=5' -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'
  curl -s ${base}/admin/api/interceptions/${id} -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'
  curl -s '${base}/admin/api/usage?group_by=model' -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'

  # Claude Code or the Anthropic SDK
  ANTHROPIC_BASE_URL=${base}/anthropic ANTHROPIC_API_KEY=${DEMO_TOKEN} claude -p "hello"

Press Ctrl-C to stop.`);
  const code = await waitForSignal(gateway, logger);
  cleanup();
  return code;
}
