import type { IncomingHttpHeaders } from 'node:http';

/** RFC 9110 §7.6.1 connection-specific fields, plus what we set ourselves. */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

const NEVER_UPSTREAM = new Set([
  ...HOP_BY_HOP,
  'host',
  'content-length',
  'expect',
  // The caller's credentials: a gateway token must never reach a provider, and a BYOK
  // credential is re-added explicitly by the failover loop.
  'authorization',
  'x-api-key',
  'x-switchyard-token',
  'cookie',
  // We read the body, so we ask for it uncompressed.
  'accept-encoding',
]);

const NEVER_DOWNSTREAM = new Set([
  ...HOP_BY_HOP,
  'content-length',
  'set-cookie',
  'date',
  // They describe the provider's host, not the gateway's: a client must not try HTTP/3 or
  // pin HTTPS on the gateway because the provider advertised it.
  'alt-svc',
  'strict-transport-security',
]);

/** Header names listed in Connection; the usual `keep-alive` or `close` lists none to strip. */
function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()));
}

/**
 * The client's headers as they should reach the provider: everything the client sent
 * (anthropic-version, anthropic-beta, unknown headers) except connection-level fields and
 * credentials.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const listed = connectionListed(incoming.connection);
  const out: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const name in incoming) {
    if (NEVER_UPSTREAM.has(name) || listed?.has(name)) continue;
    const value = incoming[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The provider's response headers as the client should see them. Content-Length is ours to
 * set (the body may be decoded or rewritten) and provider cookies stay with the gateway.
 */
export function downstreamResponseHeaders(
  upstream: Readonly<Record<string, string | string[] | undefined>>,
  dropContentEncoding: boolean,
): Record<string, string | string[]> {
  const listed = connectionListed(upstream['connection']);
  const out: Record<string, string | string[]> = {};
  for (const name in upstream) {
    if (NEVER_DOWNSTREAM.has(name) || listed?.has(name)) continue;
    if (dropContentEncoding && name === 'content-encoding') continue;
    const value = upstream[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
