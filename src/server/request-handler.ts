import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin, type AdminDeps } from '../admin/admin-api.js';
import { identifyCaller, type AuthPolicy, type Caller } from '../auth/caller.js';
import { bridge, type BridgeDeps } from '../interception/bridge.js';
import { toGatewayError } from '../interception/error-mapping.js';
import { Exchange } from '../interception/exchange.js';
import { passthrough } from '../interception/passthrough.js';
import { ClientGoneError, discardRequestBody, readRequestBody } from './request-body.js';
import type { RouteTable } from './route-table.js';

export interface HandlerDeps extends BridgeDeps, AdminDeps {
  readonly routes: RouteTable;
  readonly auth: AuthPolicy;
  readonly bodyLimit: number;
  /** False until listening and again while draining for shutdown. */
  readonly isReady: () => boolean;
  /** Each backend's state for /readyz's body; none of them stops requests. */
  readonly readinessChecks: () => Record<string, unknown>;
}

const BODYLESS = new Set(['GET', 'HEAD']);

/**
 * Checks in the contract's order: route (404, 405), gateway token (401), BYOK policy (403),
 * body size (413), JSON (400); then bridges or passes the call through.
 */
export function createRequestHandler(
  deps: HandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const exchange = new Exchange(req, res, deps.clock.now());
    handle(exchange, deps).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'request handler failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

async function handle(exchange: Exchange, deps: HandlerDeps): Promise<void> {
  const { req } = exchange;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const method = req.method ?? 'GET';

  if (path === '/healthz') {
    await discardRequestBody(req);
    exchange.sendJson(200, '{"status":"ok"}');
    return;
  }
  if (path === '/readyz') {
    await discardRequestBody(req);
    const ready = deps.isReady();
    exchange.sendJson(
      ready ? 200 : 503,
      JSON.stringify({ status: ready ? 'ready' : 'draining', checks: deps.readinessChecks() }),
    );
    return;
  }
  if (path === '/admin' || path.startsWith('/admin/')) {
    await discardRequestBody(req);
    handleAdmin(exchange, path, deps);
    return;
  }

  let caller: Caller | undefined;
  try {
    const route = deps.routes.match(method, path, query);
    caller = identifyCaller(req.headers, deps.auth);
    const body = BODYLESS.has(method) ? undefined : await readRequestBody(req, deps.bodyLimit);
    if (route.dialect !== undefined) {
      await bridge(
        exchange,
        route.provider,
        route.dialect,
        route.upstreamPath,
        caller,
        body ?? Buffer.alloc(0),
        deps,
      );
      return;
    }
    const trace = await passthrough(
      exchange,
      route.provider,
      route.upstreamPath,
      caller,
      body,
      deps.clock,
    );
    deps.logger.info(
      { method, path, status: exchange.res.statusCode, user: caller.user, keyHint: trace.keyHint },
      'passthrough',
    );
  } catch (thrown) {
    await discardRequestBody(req);
    if (exchange.clientGone || thrown instanceof ClientGoneError) return;
    const { error, internal } = toGatewayError(thrown);
    if (internal) deps.logger.error({ err: thrown, method, path }, 'unexpected error');
    else
      deps.logger.info(
        {
          method,
          path: path.slice(0, 200),
          status: error.status,
          user: caller?.user,
          error: error.message,
        },
        'rejected',
      );
    // Known only now, so that requests that succeed never pay for it.
    const family = deps.routes.familyFor(path, req.headers['anthropic-version'] !== undefined);
    exchange.sendError(family, error);
  }
}
