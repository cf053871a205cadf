import { KeyPoolError } from '../keypool/key-pool-error.js';
import { SseEventTooLargeError } from '../sse/framer.js';
import { UnsupportedEncodingError } from '../upstream/decoded-body.js';
import { UpstreamTransportError } from '../upstream/upstream-error.js';
import { GatewayError, type ErrorKind } from '../errors/gateway-error.js';

/**
 * The one place where anything thrown while serving a request becomes an HTTP answer.
 * `internal` is true for errors nobody anticipated; they are logged as bugs.
 */
export function toGatewayError(error: unknown): { error: GatewayError; internal: boolean } {
  if (error instanceof GatewayError) return { error, internal: false };
  if (error instanceof KeyPoolError) {
    const retryAfter = error.retryAfterHeader;
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { 'retry-after': retryAfter };
    return {
      error: new GatewayError(
        error.status,
        error.status === 429 ? 'rate_limit' : 'api_error',
        error.message,
        headers,
      ),
      internal: false,
    };
  }
  if (error instanceof UpstreamTransportError) {
    const timeout = error.failure === 'timeout' || error.failure === 'idle-timeout';
    return {
      error: new GatewayError(
        timeout ? 504 : 502,
        timeout ? 'timeout' : 'api_error',
        error.code === undefined ? error.message : `${error.message} (${error.code})`,
      ),
      internal: false,
    };
  }
  if (error instanceof SseEventTooLargeError || error instanceof UnsupportedEncodingError) {
    return { error: new GatewayError(502, 'api_error', error.message), internal: false };
  }
  return { error: new GatewayError(500, 'api_error', 'internal gateway error'), internal: true };
}

/** The kind of error an upstream status means, to say it again in the client's API shape. */
export function errorKindOf(status: number): ErrorKind {
  switch (status) {
    case 400:
      return 'invalid_request';
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit';
    case 504:
      return 'timeout';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request';
  }
}
