import { errors } from 'undici';

export type TransportFailure = 'unreachable' | 'reset' | 'timeout' | 'idle-timeout' | 'aborted';

/**
 * The upstream could not be talked to at all, or went away mid-body. Never a reason to
 * fail over: it says nothing about the key.
 */
export class UpstreamTransportError extends Error {
  /** The system or undici error code behind it (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT…). */
  readonly code: string | undefined;
  /** The provider host it happened with, once known: operators need both to act. */
  host: string | undefined;

  constructor(
    readonly failure: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamTransportError';
    this.code = codeOf(options?.cause);
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return codeOf((error as { cause?: unknown }).cause);
}

/** Maps what undici and the socket layer throw to one of a few failures we treat differently. */
export function classifyTransportError(error: unknown, host?: string): UpstreamTransportError {
  const classified = classify(error);
  classified.host ??= host;
  return classified;
}

function classify(error: unknown): UpstreamTransportError {
  if (error instanceof UpstreamTransportError) return error;
  if (
    error instanceof errors.RequestAbortedError ||
    (error as Error | undefined)?.name === 'AbortError'
  ) {
    return new UpstreamTransportError('aborted', 'request aborted', { cause: error });
  }
  const code = codeOf(error);
  switch (code) {
    // A provider that cannot be connected to is unreachable (502), whatever the reason;
    // 504 is for one that accepted the request and then stayed silent.
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new UpstreamTransportError('unreachable', 'timed out connecting to the upstream', {
        cause: error,
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new UpstreamTransportError('timeout', 'the upstream did not answer in time', {
        cause: error,
      });
    case 'UND_ERR_BODY_TIMEOUT':
      return new UpstreamTransportError('idle-timeout', 'the upstream stopped sending data', {
        cause: error,
      });
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UpstreamTransportError('unreachable', 'the upstream is unreachable', {
        cause: error,
      });
    default:
      return new UpstreamTransportError('reset', 'the upstream connection failed', {
        cause: error,
      });
  }
}
