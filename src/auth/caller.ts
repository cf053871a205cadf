import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import type { Credential } from '../upstream/credential.js';
import { parseBearer } from './bearer.js';
import type { GatewayTokens } from './gateway-tokens.js';

export interface Caller {
  readonly user: string;
  readonly credential: Credential;
}

export interface AuthPolicy {
  readonly tokens: GatewayTokens;
  readonly allowByok: boolean;
  /** While the issued tokens first load at startup, what to wait for before identifying. */
  readonly loading?: () => Promise<void> | undefined;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

const unauthorized = (message: string): GatewayError =>
  new GatewayError(401, 'authentication', message);

/**
 * Who is calling and whose key pays. Centralized: the client's standard credential is a
 * gateway token. BYOK: the gateway token rides in X-Switchyard-Token and the standard
 * credential is the caller's own provider key (x-api-key wins over Authorization).
 */
export function identifyCaller(headers: IncomingHttpHeaders, policy: AuthPolicy): Caller {
  const apiKey = header(headers, 'x-api-key');
  const bearerToken = parseBearer(header(headers, 'authorization'));
  const switchyardToken = header(headers, 'x-switchyard-token');

  if (switchyardToken !== undefined) {
    const user = policy.tokens.identify(switchyardToken);
    if (user === undefined) throw unauthorized('invalid gateway token in X-Switchyard-Token');
    const own = apiKey ?? bearerToken;
    if (own === undefined) {
      throw unauthorized(
        'X-Switchyard-Token is for bringing your own key: send the provider key in x-api-key or Authorization too',
      );
    }
    // BYOK credentials go upstream as they are: a gateway token there (anyone's, not only
    // the caller's) would be handed to the provider.
    if (policy.tokens.identify(own) !== undefined) {
      throw unauthorized(
        `the provider credential in ${apiKey === undefined ? 'Authorization' : 'x-api-key'} is a gateway token: send your own provider key there, and the gateway token only in X-Switchyard-Token`,
      );
    }
    if (!policy.allowByok) {
      throw new GatewayError(
        403,
        'permission',
        'bringing your own key is disabled on this gateway',
      );
    }
    return apiKey === undefined
      ? { user, credential: { kind: 'byok', header: 'authorization', token: own } }
      : { user, credential: { kind: 'byok', header: 'x-api-key', token: own } };
  }

  const token = apiKey ?? bearerToken;
  if (token === undefined) {
    throw unauthorized('missing gateway token: send it as x-api-key or Authorization: Bearer');
  }
  const user = policy.tokens.identify(token);
  if (user === undefined) throw unauthorized('invalid gateway token');
  return { user, credential: { kind: 'centralized' } };
}
