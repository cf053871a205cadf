import type { IncomingHttpHeaders } from 'node:http';
import type { Credential } from './credential.js';

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

const NEVER_UPSTREAM = [
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
];

/**
 * Headers with which a request picks the account, workspace, organisation, project or
 * billing target it runs under. A pool key belongs to the operator, who chose what it
 * bills: the client may not move that usage elsewhere. With its own key the client
 * chooses freely, as it would calling the provider directly.
 */
const BILLING_SELECTORS = [
  // OpenAI: the official SDKs send them from their organization/project options
  // (OPENAI_ORG_ID, OPENAI_PROJECT_ID); usage counts against the organisation and project named.
  'openai-organization',
  'openai-project',
  // Codex signed in with ChatGPT names the ChatGPT workspace it acts for.
  'chatgpt-account-id',
  // Anthropic: selects the workspace for credentials that span several.
  'anthropic-workspace-id',
  // Anthropic: attributes the request to one of the organisation's user profiles, and with
  // `billing_policy.bill_to: "user_profile"` bills the customer behind it.
  'anthropic-user-profile-id',
];

/**
 * Who the client is and the proxies in front of the gateway: its address (and Envoy's
 * record of its certificate), the host, scheme and port it called, and the chain of proxies.
 * They describe the hop to the gateway, not the gateway's own call, and a provider has no
 * need to learn them, so they stay here unless `forward_client_ip` says otherwise.
 */
const CLIENT_ADDRESS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-server',
  'x-original-forwarded-for',
  'x-forwarded-client-cert',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-envoy-external-address',
  'x-azure-clientip',
  'x-appengine-user-ip',
  'x-vercel-forwarded-for',
  'cloudfront-viewer-address',
  'via',
];

/** What travels upstream depends on whose key pays and on forward_client_ip. */
export interface UpstreamHeaderPolicy {
  readonly credentialKind: Credential['kind'];
  /** `forward_client_ip` in the configuration. */
  readonly forwardClientIp: boolean;
}

// One set per policy, built once: the per-request loop stays a single lookup per header.
const dropped = (...groups: (readonly string[])[]): ReadonlySet<string> => new Set(groups.flat());
const DROPPED = {
  centralized: {
    clientIpForwarded: dropped(NEVER_UPSTREAM, BILLING_SELECTORS),
    clientIpWithheld: dropped(NEVER_UPSTREAM, BILLING_SELECTORS, CLIENT_ADDRESS),
  },
  byok: {
    clientIpForwarded: dropped(NEVER_UPSTREAM),
    clientIpWithheld: dropped(NEVER_UPSTREAM, CLIENT_ADDRESS),
  },
} as const;

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
 * (anthropic-version, anthropic-beta, unknown headers) except connection-level fields,
 * credentials, and, as the policy says, billing selectors and client addresses.
 */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  policy: UpstreamHeaderPolicy,
): Record<string, string> {
  const byKind = DROPPED[policy.credentialKind];
  const drop = policy.forwardClientIp ? byKind.clientIpForwarded : byKind.clientIpWithheld;
  const listed = connectionListed(incoming.connection);
  const out: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const name in incoming) {
    if (drop.has(name) || listed?.has(name)) continue;
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
