import { handleAdmin, type AdminDeps } from '../admin/admin-api.js';
import { isDashboardPath } from '../admin/dashboard-assets.js';
import { identifyCaller, type AuthPolicy, type Caller } from '../auth/caller.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { bridge } from '../interception/bridge.js';
import type { BridgeDeps } from '../interception/bridge-deps.js';
import { toGatewayError } from '../interception/error-mapping.js';
import type { Exchange } from '../interception/exchange.js';
import { passthrough } from '../interception/passthrough.js';
import { ClientGoneError, discardRequestBody, readRequestBody } from './request-body.js';
import type { RouteTable } from './route-table.js';

/** What /readyz reports: ready or not, and each backend's state (none of them stops requests). */
export interface Readiness {
  readonly status: 'starting' | 'ready' | 'draining';
  readonly checks: Readonly<Record<string, unknown>>;
}

/** What GET /metrics serves: Prometheus text. */
export interface MetricsExposition {
  readonly contentType: string;
  text(): Promise<string>;
}

export interface HandlerDeps extends BridgeDeps, AdminDeps {
  readonly routes: RouteTable;
  /** Undefined when metrics are off (a benchmark's baseline): /metrics is then a 404. */
  readonly metrics: MetricsExposition | undefined;
  readonly auth: AuthPolicy;
  readonly bodyLimit: number;
  readonly readiness: () => Readiness;
}

const BODYLESS = new Set(['GET', 'HEAD']);
const PROBE_METHODS = 'GET, HEAD';

/**
 * Checks in the contract's order: route (404, 405), gateway token (401), BYOK policy (403),
 * body size (413), JSON (400); then bridges or passes the call through.
 */
export function createRequestHandler(deps: HandlerDeps): (exchange: Exchange) => void {
  return (exchange) => {
    handle(exchange, deps).catch((error: unknown) => {
      deps.logger.error({ err: error, id: exchange.id }, 'request handler failed');
      if (!exchange.res.headersSent) exchange.res.writeHead(500, exchange.withId({})).end();
      else exchange.res.destroy();
    });
  };
}

/** GET and HEAD only: anything else is answered 405 here (true) after its body is read. */
async function refusedMethod(exchange: Exchange, method: string): Promise<boolean> {
  await discardRequestBody(exchange.req);
  if (BODYLESS.has(method)) return false;
  exchange.sendJson(
    405,
    JSON.stringify({ error: { message: `use ${PROBE_METHODS}`, type: 'method_not_allowed' } }),
    { allow: PROBE_METHODS },
  );
  return true;
}

async function probe(exchange: Exchange, method: string, answer: () => [number, string]) {
  if (await refusedMethod(exchange, method)) return;
  const [status, body] = answer();
  exchange.sendJson(status, body);
}

/** Unauthenticated, as the contract says: nothing in it names a user or holds a secret. */
async function serveMetrics(
  exchange: Exchange,
  method: string,
  metrics: MetricsExposition,
): Promise<void> {
  if (await refusedMethod(exchange, method)) return;
  exchange.respond(200, { 'content-type': metrics.contentType }, await metrics.text());
}

async function handle(exchange: Exchange, deps: HandlerDeps): Promise<void> {
  const { req } = exchange;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const method = req.method ?? 'GET';

  if (path === '/healthz') {
    await probe(exchange, method, () => [200, '{"status":"ok"}']);
    return;
  }
  if (path === '/readyz') {
    await probe(exchange, method, () => {
      const readiness = deps.readiness();
      return [readiness.status === 'ready' ? 200 : 503, JSON.stringify(readiness)];
    });
    return;
  }
  if (path === '/metrics' && deps.metrics !== undefined) {
    await serveMetrics(exchange, method, deps.metrics);
    return;
  }
  if (isDashboardPath(path)) {
    await deps.dashboard.serve(exchange, path);
    return;
  }
  if (path.startsWith('/admin/')) {
    await handleAdmin(exchange, path, deps);
    return;
  }

  let caller: Caller | undefined;
  try {
    const route = deps.routes.match(method, path, query);
    const loading = deps.auth.loading?.();
    if (loading !== undefined) await loading;
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
    await passthrough(exchange, route, caller, body, deps);
  } catch (thrown) {
    await discardRequestBody(req);
    if (exchange.clientGone || thrown instanceof ClientGoneError) return;
    const { error, internal } = toGatewayError(thrown);
    if (internal)
      deps.logger.error({ err: thrown, id: exchange.id, method, path }, 'unexpected error');
    else logRejection(exchange, deps, method, path, caller, error);
    // Known only now, so that requests that succeed never pay for it.
    const family = deps.routes.familyFor(path, req.headers['anthropic-version'] !== undefined);
    exchange.fail(family, error);
  }
}

function logRejection(
  exchange: Exchange,
  deps: HandlerDeps,
  method: string,
  path: string,
  caller: Caller | undefined,
  error: GatewayError,
): void {
  const userAgent = exchange.req.headers['user-agent'];
  deps.logger.info(
    {
      id: exchange.id,
      method,
      path: path.slice(0, 200),
      status: error.status,
      user: caller?.user,
      client: exchange.req.socket.remoteAddress,
      user_agent: userAgent?.slice(0, 200),
      error: error.message,
    },
    'rejected',
  );
}
