import { KeyPoolError } from '../keypool/key-pool-error.js';
import { SseEventTooLargeError } from '../sse/framer.js';
import { UnsupportedEncodingError } from '../upstream/decoded-body.js';
import { UpstreamTransportError } from '../upstream/upstream-error.js';
import { GatewayError } from '../errors/gateway-error.js';

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
