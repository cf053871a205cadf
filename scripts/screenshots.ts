import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { request } from 'undici';
import { parseConfig } from '../src/config/load.js';
import { DEMO_KEYS, startSimulatedAnthropic } from '../src/demo/simulated-anthropic.js';
import { Gateway } from '../src/gateway.js';
import type { ClientInfo, Interception } from '../src/recorder/interception.js';
import { SqlRecordStore } from '../src/recorder/sql/sql-record-store.js';
import { createLogger } from '../src/log/logger.js';
import { buildDashboard } from './build-dashboard.js';

/*
 * The README's dashboard screenshots: the demo's gateway (a simulated Anthropic provider
 * whose first key is always rate limited), a second provider whose first key is revoked,
 * a week of synthetic history in its SQLite file so that the charts have a shape, and a few
 * real requests on top. Run with `npm run screenshots`; writes docs/dashboard-*.png.
 */

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const ADMIN_TOKEN = 'screenshots-admin-token';
const USERS = ['alice', 'bob', 'carol', 'dave'] as const;
const MODELS = [
  { name: 'claude-sonnet-4-5', provider: 'anthropic', perMTokIn: 3, perMTokOut: 15 },
  { name: 'claude-haiku-4-5', provider: 'anthropic', perMTokIn: 1, perMTokOut: 5 },
  { name: 'gpt-5', provider: 'openai', perMTokIn: 1.25, perMTokOut: 10 },
  { name: 'local-model', provider: 'openai', perMTokIn: undefined, perMTokOut: undefined },
] as const;
const CLIENTS: readonly ClientInfo[] = [
  { name: 'claude-code', version: '2.0.14' },
  { name: 'codex', version: '0.50.0' },
  { name: 'anthropic-sdk', version: '0.71.0', language: 'python' },
  { name: 'openai-sdk', version: '6.9.0', language: 'js' },
];

/** Deterministic, so the pictures only change when the page does. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function pick<T>(items: readonly T[], next: () => number): T {
  const item = items[Math.floor(next() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** A week of traffic, busier in working hours, ending an hour ago. */
function history(now: number): Interception[] {
  const next = random(7);
  const records: Interception[] = [];
  const hour = 3_600_000;
  for (let h = 7 * 24; h >= 1; h--) {
    const start = now - h * hour;
    const local = new Date(start).getUTCHours();
    const busy = local >= 8 && local <= 18 ? 6 : 1;
    const count = Math.floor(next() * busy) + (busy > 1 ? 2 : 0);
    for (let n = 0; n < count; n++) {
      const model = pick(MODELS, next);
      const client = pick(CLIENTS, next);
      const input = Math.floor(2_000 + next() * 30_000);
      const output = Math.floor(200 + next() * 3_000);
      const startedAt = start + Math.floor(next() * hour);
      const latency = Math.floor(800 + next() * 9_000);
      const failover = next() < 0.1;
      const hint = model.provider === 'anthropic' ? 'sk-…a7Qx' : 'sk-…M2pe';
      records.push({
        id: randomUUID(),
        startedAt,
        endedAt: startedAt + latency,
        durationMs: latency,
        provider: model.provider,
        dialect: model.provider === 'anthropic' ? 'anthropic-messages' : 'openai-responses',
        model: model.name,
        streaming: true,
        user: pick(USERS, next),
        credentialKind: 'centralized',
        keyHint: hint,
        attempts: failover ? 2 : 1,
        upstreamCalls: [],
        toolCalls: [],
        status: 200,
        outcome: 'completed',
        error: undefined,
        usage: {
          input,
          output,
          cacheRead: Math.floor(input * 0.6),
          cacheCreation: 0,
          reasoning: 0,
        },
        client,
        ...(model.perMTokIn === undefined
          ? {}
          : { costUsd: (input * model.perMTokIn + output * model.perMTokOut) / 1_000_000 }),
      });
    }
  }
  return records;
}

/** Sends one request as Claude Code would; returns its interception id. */
async function send(base: string, user: string, prompt: string, stream: boolean): Promise<string> {
  const response = await request(`${base}/anthropic/v1/messages`, {
    method: 'POST',
    headers: {
      authorization: `Bearer token-${user}`,
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
      'user-agent': 'claude-cli/2.0.14 (external, cli)',
    },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      stream,
      messages: [{ role: 'user', content: prompt }],
    }),
  });
  await response.body.text();
  return String(response.headers['x-switchyard-request-id']);
}

/** An element, cut at `maxHeight` pixels so that long lists stay small pictures. */
async function shoot(page: Page, selector: string, file: string, maxHeight = 900): Promise<void> {
  const element = page.locator(selector);
  await element.scrollIntoViewIfNeeded();
  const box = await element.boundingBox();
  if (box === null) throw new Error(`${selector} is not on the page`);
  if (box.height <= maxHeight) {
    await element.screenshot({ path: file, animations: 'disabled' });
  } else {
    await page.screenshot({
      path: file,
      animations: 'disabled',
      fullPage: true,
      clip: {
        x: box.x,
        y: box.y + (await page.evaluate<number>('window.scrollY')),
        width: box.width,
        height: maxHeight,
      },
    });
  }
  process.stdout.write(`wrote ${file}\n`);
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'switchyard-screenshots-'));
  const provider = await startSimulatedAnthropic();
  const database = join(work, 'records.db');
  const docs = join(root, 'docs');
  await mkdir(docs, { recursive: true });
  let gateway: Gateway | undefined;
  const browser = await chromium.launch({
    executablePath: execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(),
    args: ['--no-sandbox'],
  });
  try {
    await buildDashboard(join(work, 'dashboard'));
    const store = new SqlRecordStore({ engine: 'sqlite', path: database });
    await store.write(history(Date.now()));
    await store.close();
    const config = parseConfig(
      {
        listen: '127.0.0.1:0',
        providers: [
          {
            name: 'anthropic',
            type: 'anthropic',
            base_url: provider.url,
            keys: [DEMO_KEYS.rateLimited, DEMO_KEYS.healthy],
          },
          {
            name: 'anthropic-backup',
            type: 'anthropic',
            base_url: provider.url,
            keys: ['demo-provider-key-revoked-0003', DEMO_KEYS.healthy],
          },
        ],
        auth: { tokens: USERS.map((user) => ({ user, token: `token-${user}` })) },
        admin: { token: ADMIN_TOKEN },
        database: `sqlite:${database}`,
        recording: { prompts: true },
      },
      undefined,
      'screenshots',
    );
    gateway = await Gateway.start({
      config,
      logger: createLogger({ level: 'warn' }),
      dashboardDir: join(work, 'dashboard'),
    });
    const base = gateway.url;
    const failedOver = await send(
      base,
      'alice',
      'Refactor the retry loop in upstream/client.ts to use the key walker.',
      true,
    );
    await send(base, 'bob', 'Why does the circuit breaker open after a 500 but not a 429?', false);
    await send(base, 'carol', 'Write a test for the cooldown countdown.', true);
    // The backup provider's first key is refused (401): disabled until someone re-enables it.
    await request(`${base}/anthropic-backup/v1/messages`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer token-dave',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: 'claude-haiku-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'ping' }],
      }),
    }).then((r) => r.body.text());

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/admin#token=${ADMIN_TOKEN}`);
    await page.locator('[data-key="anthropic/0"][data-state="temporary"]').waitFor();
    await page.locator('[data-key="anthropic-backup/0"][data-state="permanent"]').waitFor();
    await shoot(page, '#keys', join(docs, 'dashboard-keys.png'));

    await page.selectOption('#usage select[name=range]', '7d');
    await page.locator('#usage .chart[data-metric=cost] canvas').waitFor();
    await page.waitForTimeout(300);
    await shoot(page, '#usage', join(docs, 'dashboard-usage.png'));

    const row = page.locator(`#interceptions tr[data-id="${failedOver}"]`);
    await row.waitFor();
    await shoot(page, '#interceptions', join(docs, 'dashboard-interceptions.png'), 560);
    // Alice's request failed over from the rate-limited key: its detail shows both attempts.
    await row.click();
    await page.locator('dialog[open] table.attempts').first().waitFor();
    await shoot(page, 'dialog[open]', join(docs, 'dashboard-detail.png'));
  } finally {
    await browser.close();
    await gateway?.shutdown(1000);
    provider.server.close();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
