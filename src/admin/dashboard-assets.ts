import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Exchange } from '../interception/exchange.js';
import { discardRequestBody } from '../server/request-body.js';

/**
 * Where `npm run build` puts the dashboard: dist/dashboard/ at the repository's root, two
 * levels up from this module both as src/admin/*.ts (tsx, tests) and as dist/admin/*.js.
 */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(
  new URL('../../dist/dashboard/', import.meta.url),
);

/**
 * The page may load its own script, style and images and call its own origin; nothing
 * inline, nothing elsewhere, and no framing. The admin token lives in this page, so the
 * policy is what keeps an injected string from ever running as script.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Asset names carry their content's hash, so a name always means the same bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  readonly body: Buffer;
  /** Compressed once at load: the script is most of the page's weight. */
  readonly gzipped: Buffer;
  readonly contentType: string;
}

interface Built {
  readonly page: Asset;
  readonly assets: ReadonlyMap<string, Asset>;
}

function asset(body: Buffer, contentType: string): Asset {
  return { body, gzipped: gzipSync(body, { level: 9 }), contentType };
}

function acceptsGzip(exchange: Exchange): boolean {
  const accepted = exchange.req.headers['accept-encoding'];
  return typeof accepted === 'string' && /\bgzip\b(?!;\s*q=0(?:\.0*)?(?:,|$))/.test(accepted);
}

const ASSET_PATH = /^\/admin\/assets\/([A-Za-z0-9_.-]{1,200})$/;

/** True for the paths the dashboard answers: the page and its assets, all without auth. */
export function isDashboardPath(path: string): boolean {
  return path === '/admin' || path === '/admin/' || path.startsWith('/admin/assets/');
}

/**
 * Serves the dashboard page and its bundled assets from memory. The page holds no data (every
 * data call carries the admin token), so it is served to anyone; the files are read once, at
 * the first request, and a dashboard that was not built is said so until it is.
 */
export class DashboardAssets {
  private built: Promise<Built> | undefined;

  constructor(private readonly dir: string = DEFAULT_DASHBOARD_DIR) {}

  async serve(exchange: Exchange, path: string): Promise<void> {
    const method = exchange.req.method ?? 'GET';
    await discardRequestBody(exchange.req);
    if (method !== 'GET' && method !== 'HEAD') {
      this.error(exchange, 405, 'method_not_allowed', 'use GET or HEAD', { allow: 'GET, HEAD' });
      return;
    }
    let built: Built;
    try {
      built = await this.load();
    } catch {
      this.error(exchange, 503, 'unavailable', 'the dashboard is not built: run npm run build');
      return;
    }
    if (path === '/admin' || path === '/admin/') {
      this.send(exchange, built.page, 'no-cache');
      return;
    }
    const name = ASSET_PATH.exec(path)?.[1];
    const found = name === undefined ? undefined : built.assets.get(name);
    if (found === undefined) {
      this.error(exchange, 404, 'not_found', 'no such dashboard asset');
      return;
    }
    this.send(exchange, found, IMMUTABLE);
  }

  private send(exchange: Exchange, file: Asset, cacheControl: string): void {
    const gzip = acceptsGzip(exchange);
    exchange.respond(
      200,
      {
        ...SECURITY_HEADERS,
        'content-type': file.contentType,
        'cache-control': cacheControl,
        vary: 'accept-encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
      gzip ? file.gzipped : file.body,
    );
  }

  private load(): Promise<Built> {
    if (this.built === undefined) {
      const loading = readBuilt(this.dir);
      this.built = loading;
      // A dashboard built after the gateway started is found on the next request.
      void loading.catch(() => {
        if (this.built === loading) this.built = undefined;
      });
    }
    return this.built;
  }

  /** In the admin API's error shape, like every other answer under /admin/. */
  private error(
    exchange: Exchange,
    status: number,
    type: string,
    message: string,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    exchange.respond(
      status,
      {
        ...SECURITY_HEADERS,
        ...headers,
        'content-type': 'application/json',
        'cache-control': 'no-store',
      },
      JSON.stringify({ error: { type, message } }),
    );
  }
}

async function readBuilt(dir: string): Promise<Built> {
  const page = asset(await readFile(join(dir, 'index.html')), 'text/html; charset=utf-8');
  const assets = new Map<string, Asset>();
  const assetDir = join(dir, 'assets');
  for (const name of await readdir(assetDir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    assets.set(name, asset(await readFile(join(assetDir, name)), contentType));
  }
  return { page, assets };
}
