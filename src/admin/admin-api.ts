import { parseBearer } from '../auth/bearer.js';
import type { GatewayTokens } from '../auth/gateway-tokens.js';
import type { Exchange } from '../interception/exchange.js';
import { GatewayError, notFound } from '../errors/gateway-error.js';
import type { Provider } from '../upstream/provider.js';

export interface AdminDeps {
  /** Undefined when no admin token is configured: the admin API is then off. */
  readonly adminToken: GatewayTokens | undefined;
  readonly providers: readonly Provider[];
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

/** The admin JSON API: bearer `admin.token`, read key states, re-enable a key. */
export function handleAdmin(exchange: Exchange, path: string, deps: AdminDeps): void {
  const method = exchange.req.method ?? 'GET';
  try {
    authorize(exchange, deps.adminToken);
    if (path === '/admin/api/providers') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      exchange.sendJson(200, JSON.stringify(deps.providers.map(providerView)));
      return;
    }
    const enable = ENABLE.exec(path);
    if (enable !== null) {
      if (method !== 'POST') throw methodNotAllowed('POST');
      const provider = deps.providers.find((p) => p.name === enable[1]);
      if (provider === undefined) throw notFound(`no provider named ${enable[1] ?? ''}`);
      const key = provider.pool.keys[Number(enable[2])];
      if (key === undefined)
        throw notFound(`provider ${provider.name} has no key ${enable[2] ?? ''}`);
      key.enable();
      exchange.sendJson(
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
  } catch (error) {
    if (error instanceof GatewayError) adminError(exchange, error);
    else throw error;
  }
}

function methodNotAllowed(allow: string): GatewayError {
  return new GatewayError(405, 'method_not_allowed', `use ${allow}`, { allow });
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
