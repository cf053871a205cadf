import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './header-hygiene.js';

const pool = { credentialKind: 'centralized', forwardClientIp: false } as const;
const byok = { credentialKind: 'byok', forwardClientIp: false } as const;

const billingSelectors = {
  'openai-organization': 'org-client',
  'openai-project': 'proj_client',
  'chatgpt-account-id': 'acct-client',
  'anthropic-workspace-id': 'wrkspc_client',
  'anthropic-user-profile-id': 'uprof_client',
};

const clientAddress = {
  forwarded: 'for=198.51.100.7;proto=https',
  'x-forwarded-for': '198.51.100.7, 10.0.0.2',
  'x-forwarded-host': 'gateway.internal',
  'x-forwarded-proto': 'https',
  'x-forwarded-port': '443',
  'x-forwarded-prefix': '/ai',
  'x-forwarded-server': 'edge-1',
  'x-original-forwarded-for': '198.51.100.7',
  'x-forwarded-client-cert': 'Hash=abc;Subject="CN=alice"',
  'x-real-ip': '198.51.100.7',
  'x-client-ip': '198.51.100.7',
  'client-ip': '198.51.100.7',
  'true-client-ip': '198.51.100.7',
  'cf-connecting-ip': '198.51.100.7',
  'cf-connecting-ipv6': '2001:db8::7',
  'fastly-client-ip': '198.51.100.7',
  'x-cluster-client-ip': '198.51.100.7',
  'x-envoy-external-address': '198.51.100.7',
  'x-azure-clientip': '198.51.100.7',
  'x-appengine-user-ip': '198.51.100.7',
  'x-vercel-forwarded-for': '198.51.100.7',
  'cloudfront-viewer-address': '198.51.100.7:50123',
  via: '1.1 edge-proxy',
};

const apiHeaders = {
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'a,b',
  'openai-beta': 'assistants=v2',
  'x-custom': 'kept',
};

describe('upstreamRequestHeaders', () => {
  it('keeps API headers and unknown headers, drops credentials and connection fields', () => {
    for (const policy of [pool, byok]) {
      const out = upstreamRequestHeaders(
        {
          host: 'gateway:8080',
          connection: 'keep-alive, x-hop',
          'x-hop': 'listed in Connection',
          'keep-alive': 'timeout=5',
          authorization: 'Bearer gateway-token',
          'x-api-key': 'sk-byok',
          'x-switchyard-token': 'gateway-token',
          cookie: 'session=1',
          'content-length': '42',
          'accept-encoding': 'gzip, br',
          ...apiHeaders,
        },
        policy,
      );
      expect(out).toEqual({ 'accept-encoding': 'identity', ...apiHeaders });
    }
  });

  it("drops the client's account, workspace and billing choices when a pool key pays", () => {
    expect(upstreamRequestHeaders({ ...billingSelectors, ...apiHeaders }, pool)).toEqual({
      'accept-encoding': 'identity',
      ...apiHeaders,
    });
    expect(
      upstreamRequestHeaders(
        { ...billingSelectors, ...apiHeaders },
        { ...pool, forwardClientIp: true },
      ),
    ).toEqual({ 'accept-encoding': 'identity', ...apiHeaders });
  });

  it('passes them unchanged with BYOK: the caller pays and may choose', () => {
    expect(upstreamRequestHeaders({ ...billingSelectors, ...apiHeaders }, byok)).toEqual({
      'accept-encoding': 'identity',
      ...billingSelectors,
      ...apiHeaders,
    });
  });

  it('withholds client address and proxy-chain headers unless forward_client_ip is on', () => {
    for (const policy of [pool, byok]) {
      expect(upstreamRequestHeaders({ ...clientAddress, ...apiHeaders }, policy)).toEqual({
        'accept-encoding': 'identity',
        ...apiHeaders,
      });
      expect(
        upstreamRequestHeaders(
          { ...clientAddress, ...apiHeaders },
          { ...policy, forwardClientIp: true },
        ),
      ).toEqual({ 'accept-encoding': 'identity', ...clientAddress, ...apiHeaders });
    }
  });
});

describe('downstreamResponseHeaders', () => {
  const upstream = {
    'content-type': 'application/json',
    'content-length': '10',
    'content-encoding': 'gzip',
    'transfer-encoding': 'chunked',
    'set-cookie': ['a=1'],
    date: 'Sun, 22 Nov 2026 04:00:00 GMT',
    'alt-svc': 'h3=":443"',
    'strict-transport-security': 'max-age=31536000',
    'request-id': 'req_1',
    'retry-after': '5',
  };

  it("passes the provider's own headers and drops what describes its host or connection", () => {
    expect(downstreamResponseHeaders(upstream, false)).toEqual({
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'request-id': 'req_1',
      'retry-after': '5',
    });
  });

  it('drops Content-Encoding when the gateway decoded the body', () => {
    expect(downstreamResponseHeaders(upstream, true)).not.toHaveProperty('content-encoding');
  });
});
