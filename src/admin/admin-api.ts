import { parseBearer } from '../auth/bearer.js';
import type { GatewayTokens } from '../auth/gateway-tokens.js';
import type { IssuedTokens } from '../auth/issued-tokens.js';
import type { Exchange } from '../interception/exchange.js';
import { GatewayError, notFound } from '../errors/gateway-error.js';
import { ClientGoneError, discardRequestBody } from '../server/request-body.js';
import type { Logger } from '../log/logger.js';
import type { Provider } from '../upstream/provider.js';
import type { DashboardAssets } from './dashboard-assets.js';
import { requireMethod, type AdminContext, type AdminRecords } from './admin-context.js';
import {
  listInterceptions,
  showInterception,
  usageReport,
  usageSeries,
} from './interception-routes.js';
import { QueryParams } from './query-params.js';
import { revokeToken, tokensCollection } from './token-routes.js';

export interface AdminDeps {
  /** The dashboard page and its assets, served at /admin without auth. */
  readonly dashboard: DashboardAssets;
  /** Undefined when no admin token is configured: the admin API is then off. */
  readonly adminToken: GatewayTokens | undefined;
  readonly providers: readonly Provider[];
  readonly logger: Logger;
  /** The recording database; undefined with `database: off`. */
  readonly records: AdminRecords | undefined;
  /** Issued gateway tokens; undefined with `database: off`. */
  readonly issuedTokens: IssuedTokens | undefined;
}

function adminError(exchange: Exchange, error: GatewayError): void {
  exchange.sendJson(
    error.status,
    JSON.stringify({ error: { type: error.kind, message: error.message } }),
    error.headers,
  );
}

function providerView(provider: Provider): unknown {
  return {
    name: provider.name,
    type: provider.type,
    keys: provider.pool.keys.map((key) => ({
      index: key.index,
      hint: key.hint,
      state: key.state(),
      cooldown_remaining_ms: key.cooldownRemainingMs(),
    })),
  };
}

const ENABLE = /^\/admin\/api\/providers\/([^/]+)\/keys\/(\d{1,6})\/enable$/;
const INTERCEPTION = /^\/admin\/api\/interceptions\/([^/]{1,200})$/;
const TOKEN = /^\/admin\/api\/tokens\/([^/]{1,200})$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound('malformed path segment');
  }
}

/**
 * The admin JSON API, behind bearer `admin.token`: key states and re-enabling (live), the
 * recorded interceptions and usage, and issued gateway tokens (from the database).
 */
export async function handleAdmin(
  exchange: Exchange,
  path: string,
  deps: AdminDeps,
): Promise<void> {
  const method = exchange.req.method ?? 'GET';
  const url = exchange.req.url ?? '';
  const q = url.indexOf('?');
  const context: AdminContext = {
    exchange,
    method,
    search: q === -1 ? '' : url.slice(q + 1),
    logger: deps.logger,
    records: deps.records,
    issuedTokens: deps.issuedTokens,
  };
  // Only token creation reads a body; any other is consumed so an early answer arrives whole.
  const takesBody = method === 'POST' && path === '/admin/api/tokens';
  try {
    if (!takesBody) await discardRequestBody(exchange.req);
    authorize(exchange, deps.adminToken);
    await route(context, path, deps);
  } catch (error) {
    if (error instanceof ClientGoneError || exchange.clientGone) return;
    if (!(error instanceof GatewayError)) throw error;
    await discardRequestBody(exchange.req);
    adminError(exchange, error);
  }
}

async function route(context: AdminContext, path: string, deps: AdminDeps): Promise<void> {
  switch (path) {
    case '/admin/api/providers':
      requireMethod(context, 'GET');
      new QueryParams(context.search, []);
      context.exchange.sendJson(200, JSON.stringify(deps.providers.map(providerView)));
      return;
    case '/admin/api/interceptions':
      await listInterceptions(context);
      return;
    case '/admin/api/usage':
      await usageReport(context);
      return;
    case '/admin/api/usage/series':
      await usageSeries(context);
      return;
    case '/admin/api/tokens':
      await tokensCollection(context);
      return;
  }
  const interception = INTERCEPTION.exec(path);
  if (interception?.[1] !== undefined) {
    await showInterception(context, decodeSegment(interception[1]));
    return;
  }
  const token = TOKEN.exec(path);
  if (token?.[1] !== undefined) {
    await revokeToken(context, decodeSegment(token[1]));
    return;
  }
  const enable = ENABLE.exec(path);
  if (enable !== null) {
    requireMethod(context, 'POST');
    const provider = deps.providers.find((p) => p.name === enable[1]);
    if (provider === undefined) throw notFound(`no provider named ${enable[1] ?? ''}`);
    const key = provider.pool.keys[Number(enable[2])];
    if (key === undefined)
      throw notFound(`provider ${provider.name} has no key ${enable[2] ?? ''}`);
    key.enable();
    context.exchange.sendJson(
      200,
      JSON.stringify({
        index: key.index,
        hint: key.hint,
        state: key.state(),
        cooldown_remaining_ms: 0,
      }),
    );
    return;
  }
  throw notFound(`no admin route ${path.slice(0, 200)}`);
}

function authorize(exchange: Exchange, adminToken: GatewayTokens | undefined): void {
  if (adminToken === undefined) {
    throw new GatewayError(
      403,
      'permission',
      'the admin API is disabled: set admin.token (or SWITCHYARD_ADMIN_TOKEN) to enable it',
    );
  }
  const token = parseBearer(exchange.req.headers.authorization);
  if (token === undefined || adminToken.identify(token) === undefined) {
    throw new GatewayError(401, 'authentication', 'missing or invalid admin token', {
      'www-authenticate': 'Bearer',
    });
  }
}
