import { describe, expect, it } from 'vitest';
import { downstreamResponseHeaders, upstreamRequestHeaders } from './header-hygiene.js';

describe('upstreamRequestHeaders', () => {
  it('keeps API headers and unknown headers, drops credentials and connection fields', () => {
    const out = upstreamRequestHeaders({
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
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'a,b',
      'x-custom': 'kept',
    });
    expect(out).toEqual({
      'accept-encoding': 'identity',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'a,b',
      'x-custom': 'kept',
    });
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
