import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../scripts/build-dashboard.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { adminKeys } from './support/admin-api.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';

/** Debian's chromium (`apt-get install chromium`, which .ci/run does). */
function findChromium(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

const executablePath = findChromium();
// Without chromium on a laptop the test says why it did not run; in CI it must run (and fails
// at launch if chromium is missing).
const skip = executablePath === undefined && process.env['CI'] === undefined;
if (skip) {
  process.stderr.write(
    'dashboard browser test skipped: no chromium on PATH (apt-get install -y chromium); it always runs in CI\n',
  );
}

const KEYS = ['sk-ant-dashboard-key-0000', 'sk-ant-dashboard-key-0001'];
/** Long enough that the cooldown is still running when the test re-enables the key. */
const RETRY_AFTER_S = 120;
const WAIT = { timeout: 15_000 };

describe.skipIf(skip)('dashboard in a real browser', () => {
  let dir: string;
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const pageProblems: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-dashboard-browser-'));
    await buildDashboard(join(dir, 'dashboard'));
    harness = await startHarness({
      providers: [{ name: 'anthropic', type: 'anthropic', keys: KEYS }],
      database: `sqlite:${join(dir, 'records.db')}`,
      dashboardDir: join(dir, 'dashboard'),
    });
    // The first key is rate limited with a Retry-After; the second serves.
    harness.upstream.script = (seen) =>
      seen.key === KEYS[0]
        ? messagesProfile.upstreamError(429, 'slow down', { 'retry-after': String(RETRY_AFTER_S) })
        : messagesProfile.success(false);
    browser = await chromium.launch({
      executablePath: executablePath ?? 'chromium',
      // As root in a container there is no user namespace for chromium's sandbox.
      args: ['--no-sandbox'],
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A CSP violation, a failed load or a script error is a defect of the page; a refused
      // token (401) is what the login tests provoke.
      const text = message.text();
      if (message.type() === 'error' && !text.includes('status of 401')) {
        pageProblems.push(`console: ${text}`);
      }
    });
  }, 60_000);

  afterAll(async () => {
    await browser.close();
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  const key = (index: number, state?: string): string =>
    `[data-key="anthropic/${String(index)}"]${state === undefined ? '' : `[data-state="${state}"]`}`;

  it('logs in, shows a key cooling down after a 429 and re-enables it, finds the interception and opens it', async () => {
    await page.goto(`${harness.url}/admin`);
    // A wrong token is refused on the login form.
    await page.fill('#token', 'not-the-admin-token');
    await page.click('#login button[type=submit]');
    await page.getByText('That token was refused.').waitFor(WAIT);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#login button[type=submit]');
    await page.locator(key(0, 'valid')).waitFor(WAIT);
    await page.locator(key(1, 'valid')).waitFor(WAIT);
    expect(await page.locator(`${key(0)} button.enable`).isVisible()).toBe(false);

    const client = new Anthropic({
      baseURL: `${harness.url}/anthropic`,
      apiKey: TOKEN,
      maxRetries: 0,
    });
    const { data, response } = await client.messages
      .create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.content[0]?.type).toBe('text');
    const id = response.headers.get('x-switchyard-request-id');
    expect(id).toBeTruthy();

    // Key 0 answered 429 with Retry-After: the page shows it cooling down, counting down.
    await page.locator(key(0, 'temporary')).waitFor(WAIT);
    const cooldown = page.locator(`${key(0)} .cooldown`);
    const seconds = (text: string | null): number => {
      const match = /^(?:(\d+)m )?(\d+)s$/.exec(text ?? '');
      return match === null ? Number.NaN : Number(match[1] ?? 0) * 60 + Number(match[2]);
    };
    const first = seconds(await cooldown.textContent());
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(RETRY_AFTER_S);
    await expect.poll(async () => seconds(await cooldown.textContent()), WAIT).toBeLessThan(first);

    // Re-enable: the page and the gateway both have it valid again.
    await page.click(`${key(0)} button.enable`);
    await page.locator(key(0, 'valid')).waitFor(WAIT);
    expect((await adminKeys(harness.url, 'anthropic'))[0]?.state).toBe('valid');
    expect(await cooldown.textContent()).toBe('');

    // The interception appears in the table (recording is asynchronous; the list refreshes).
    const row = page.locator(`tr[data-id="${id ?? ''}"]`);
    await row.waitFor(WAIT);
    const cells = await row.locator('td').allTextContents();
    expect(cells).toEqual(
      expect.arrayContaining(['alice', 'anthropic', 'claude-test', 'completed', '2']) as unknown,
    );

    // Its detail: both attempts with their key hints, statuses and latencies.
    const [hint0, hint1] = (await adminKeys(harness.url, 'anthropic')).map((k) => k.hint);
    await row.click();
    const dialog = page.locator(`dialog[open][data-id="${id ?? ''}"]`);
    await dialog.waitFor(WAIT);
    const attempts = await dialog.locator('table.attempts tbody tr').allTextContents();
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toContain(hint0 ?? '?');
    expect(attempts[0]).toContain('429');
    expect(attempts[0]).toContain('failed over');
    expect(attempts[1]).toContain(hint1 ?? '?');
    expect(attempts[1]).toContain('200');
    expect(attempts[1]).toMatch(/\d+ ms/);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });

    expect(pageProblems).toEqual([]);
  });

  it('takes the token from #token= and drops it from the address bar; logs out', async () => {
    // A fresh load of a link such as `switchyard demo` prints.
    await page.goto('about:blank');
    await page.goto(`${harness.url}/admin#token=${ADMIN_TOKEN}`);
    await page.locator(key(0)).waitFor(WAIT);
    await page.waitForURL(`${harness.url}/admin`, WAIT);
    await page.click('#logout');
    await page.locator('#login').waitFor(WAIT);
    await page.reload();
    await page.locator('#login').waitFor(WAIT);
    // The same link while the page is open: only the fragment changes.
    await page.goto(`${harness.url}/admin#token=${ADMIN_TOKEN}`);
    await page.locator(key(0)).waitFor(WAIT);
    await page.waitForURL(`${harness.url}/admin`, WAIT);
    expect(pageProblems).toEqual([]);
  });

  it('goes back to the login when a call gets 401', async () => {
    await page.goto('about:blank');
    await page.goto(`${harness.url}/admin#token=${ADMIN_TOKEN}`);
    await page.locator(key(0)).waitFor(WAIT);
    await page.waitForURL(`${harness.url}/admin`, WAIT);
    // The token the page holds stops working (as after admin.token is changed and reloaded).
    await page.evaluate("sessionStorage.setItem('switchyard-admin-token', 'a-stale-token')");
    await page.reload();
    await page.getByText('Your admin token was refused; log in again.').waitFor(WAIT);
    await page.locator('#login').waitFor(WAIT);
  });
});
