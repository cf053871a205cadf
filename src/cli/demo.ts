import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import pretty from 'pino-pretty';
import { parseConfig, parseListen } from '../config/load.js';
import { DEMO_KEYS, startSimulatedAnthropic } from '../demo/simulated-anthropic.js';
import { Gateway } from '../gateway.js';
import { createLogger } from '../telemetry/logger.js';
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
      database: `sqlite:${join(mkdtempSync(join(tmpdir(), 'switchyard-demo-')), 'demo.db')}`,
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
    provider.server.close();
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
  out(`Try it yourself (the gateway token is "${DEMO_TOKEN}"):

  # a request; key 0 is skipped while it cools down
  curl -s ${base}/anthropic/v1/messages -H 'x-api-key: ${DEMO_TOKEN}' \\
    -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\
    -d '{"model":"claude-demo","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Hi"}]}'

  # key states, and putting key 0 back in service
  curl -s ${base}/admin/api/providers -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'
  curl -s -X POST ${base}/admin/api/providers/anthropic/keys/0/enable -H 'authorization: Bearer ${DEMO_ADMIN_TOKEN}'

  # Claude Code or the Anthropic SDK
  ANTHROPIC_BASE_URL=${base}/anthropic ANTHROPIC_API_KEY=${DEMO_TOKEN} claude -p "hello"

Press Ctrl-C to stop.`);
  const code = await waitForSignal(gateway, logger);
  provider.server.close();
  return code;
}
