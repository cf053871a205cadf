import type { ApiFamily } from './dialect.js';
import type { ErrorKind, GatewayError } from '../errors/gateway-error.js';

const ANTHROPIC_TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  request_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  api_error: 'api_error',
  timeout: 'api_error',
  unavailable: 'api_error',
};

const OPENAI_TYPES: Record<ErrorKind, { type: string; code: string | null }> = {
  invalid_request: { type: 'invalid_request_error', code: null },
  authentication: { type: 'authentication_error', code: 'invalid_api_key' },
  permission: { type: 'permission_error', code: null },
  not_found: { type: 'invalid_request_error', code: 'unknown_url' },
  method_not_allowed: { type: 'invalid_request_error', code: 'method_not_allowed' },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  api_error: { type: 'api_error', code: null },
  timeout: { type: 'api_error', code: 'timeout' },
  unavailable: { type: 'api_error', code: 'service_unavailable' },
};

export function anthropicErrorObject(error: GatewayError): {
  type: 'error';
  error: { type: string; message: string };
} {
  return { type: 'error', error: { type: ANTHROPIC_TYPES[error.kind], message: error.message } };
}

export function openaiErrorObject(error: GatewayError): {
  error: { message: string; type: string; param: null; code: string | null };
} {
  const { type, code } = OPENAI_TYPES[error.kind];
  return { error: { message: error.message, type, param: null, code } };
}

/** The JSON body of a gateway-made error in the shape the client's SDK parses. */
export function errorBody(family: ApiFamily, error: GatewayError): string {
  return JSON.stringify(
    family === 'anthropic' ? anthropicErrorObject(error) : openaiErrorObject(error),
  );
}
