import type { Caller } from '../auth/caller.js';
import { upstreamRequestHeaders } from '../upstream/header-hygiene.js';
import type { BridgeDeps } from './bridge-deps.js';
import type { Exchange } from './exchange.js';

/**
 * The client's headers for the provider, for a bridged call whose body the gateway sends as
 * JSON: one object, not a copy of another (it is made for every bridged request).
 */
export function jsonRequestHeaders(
  exchange: Exchange,
  caller: Caller,
  deps: Pick<BridgeDeps, 'forwardClientIp'>,
): Record<string, string> {
  const headers = upstreamRequestHeaders(exchange.req.headers, {
    credentialKind: caller.credential.kind,
    forwardClientIp: deps.forwardClientIp,
  });
  headers['content-type'] = 'application/json';
  return headers;
}
