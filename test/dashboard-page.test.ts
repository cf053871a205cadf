import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard } from '../scripts/build-dashboard.js';
import { startHarness, type Harness } from './support/harness.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function get(url: string, method = 'GET'): Promise<Answer> {
  const response = await request(url, { method: method as 'GET' });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.text(),
  };
}

function expectLockedDown(answer: Answer): void {
  const csp = String(answer.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).toContain("frame-ancestors 'none'");
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
}

describe('the dashboard page and its assets', () => {
  let dir: string;
  let harness: Harness;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-dashboard-'));
    await buildDashboard(join(dir, 'built'));
    harness = await startHarness({ dashboardDir: join(dir, 'built') });
    base = harness.url;
  });

  afterAll(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['/admin', '/admin/'])(
    'GET %s serves the page without auth, locked down',
    async (path) => {
      const page = await get(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('no-cache');
      expectLockedDown(page);
      // Nothing inline: the policy would block it, and the page must not depend on it.
      expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(page.body).not.toMatch(/\sstyle=|<style/);
      expect(page.body).not.toMatch(/https?:\/\//);
    },
  );

  it("serves the page's hashed script and style, cached for good, and nothing else", async () => {
    const page = await get(`${base}/admin`);
    const referenced = [...page.body.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)].map(
      (m) => m[1] ?? '',
    );
    const built = await readdir(join(dir, 'built', 'assets'));
    expect(referenced.map((path) => path.replace('/admin/assets/', '')).sort()).toEqual(
      built.sort(),
    );
    const types = new Set<string>();
    for (const path of referenced) {
      expect(path).toMatch(/-[A-Z0-9]{8}\.(js|css)$/);
      const asset = await get(`${base}${path}`);
      expect(asset.status).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expectLockedDown(asset);
      types.add(String(asset.headers['content-type']));
      // Bundled: no import of anything the page would have to fetch from elsewhere.
      expect(asset.body).not.toMatch(/\bimport\s*\(?\s*["'](?:https?:)?\/\//);
    }
    expect([...types].sort()).toEqual([
      'text/css; charset=utf-8',
      'text/javascript; charset=utf-8',
    ]);

    for (const path of [
      '/admin/assets/nope.js',
      '/admin/assets/..%2F..%2Fpackage.json',
      '/admin/assets/',
    ]) {
      const missing = await get(`${base}${path}`);
      expect(missing.status, path).toBe(404);
      expect(JSON.parse(missing.body), path).toEqual({
        error: { type: 'not_found', message: 'no such dashboard asset' },
      });
    }
  });

  it('sends the page and its assets gzipped to a browser that takes gzip', async () => {
    const page = await get(`${base}/admin`);
    const assets = [...page.body.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)];
    const paths = ['/admin', ...assets.map((m) => m[1] ?? '')];
    expect(paths).toHaveLength(3);
    for (const path of paths) {
      const plain = await request(`${base}${path}`);
      const plainBody = Buffer.from(await plain.body.arrayBuffer());
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      const zipped = await request(`${base}${path}`, {
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      });
      expect(zipped.headers['content-encoding'], path).toBe('gzip');
      expect(zipped.headers.vary).toBe('accept-encoding');
      const zippedBody = Buffer.from(await zipped.body.arrayBuffer());
      expect(zippedBody.length).toBeLessThan(plainBody.length);
      expect(gunzipSync(zippedBody).equals(plainBody), path).toBe(true);
      const refused = await request(`${base}${path}`, {
        headers: { 'accept-encoding': 'gzip;q=0' },
      });
      expect(refused.headers['content-encoding'], path).toBeUndefined();
      await refused.body.dump();
    }
  });

  it('answers other methods with 405, and HEAD like GET without a body', async () => {
    const post = await get(`${base}/admin`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body)).toMatchObject({ error: { type: 'method_not_allowed' } });
    const head = await get(`${base}/admin`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
  });

  it('leaves the rest of /admin/ as it was: the API still needs the admin token', async () => {
    expect((await get(`${base}/admin/api/providers`)).status).toBe(401);
    expect((await get(`${base}/admin/index.html`)).status).toBe(401);
  });
});

describe('a gateway whose dashboard was not built', () => {
  it('says so with 503 and serves it once it is built', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-dashboard-'));
    const harness = await startHarness({ dashboardDir: join(dir, 'built') });
    try {
      const before = await get(`${harness.url}/admin`);
      expect(before.status).toBe(503);
      expect(JSON.parse(before.body)).toEqual({
        error: { type: 'unavailable', message: 'the dashboard is not built: run npm run build' },
      });
      await buildDashboard(join(dir, 'built'));
      expect((await get(`${harness.url}/admin`)).status).toBe(200);
    } finally {
      await harness.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
