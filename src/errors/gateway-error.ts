/**
 * What went wrong, independent of any API's wording. Each API family renders a kind into
 * its own error shape, so handlers throw one of these and never write JSON themselves.
 */
export type ErrorKind =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'rate_limit'
  | 'api_error'
  | 'timeout'
  | 'unavailable';

export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly kind: ErrorKind,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const notFound = (message: string): GatewayError =>
  new GatewayError(404, 'not_found', message);

export const invalidRequest = (message: string): GatewayError =>
  new GatewayError(400, 'invalid_request', message);

/** What a request still running gets when the gateway's shutdown grace is over. */
export const shuttingDown = (): GatewayError =>
  new GatewayError(503, 'unavailable', 'the gateway is shutting down');
