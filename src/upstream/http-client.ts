import { Agent, type Dispatcher } from 'undici';
import type { UpstreamTimeouts } from './timeouts.js';
import { classifyTransportError } from './upstream-error.js';

export interface UpstreamCall {
  readonly method: string;
  /** Path below the provider's base URL, without a leading slash, query string included. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Dispatcher.ResponseData['body'];
}

/**
 * The one HTTP client to a provider: a keep-alive connection pool per origin, no redirects,
 * no retries (failover is ours to decide), and transport errors classified once.
 */
export class UpstreamHttpClient {
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(baseUrl: URL, timeouts: UpstreamTimeouts) {
    this.origin = baseUrl.origin;
    this.basePath = baseUrl.pathname.endsWith('/') ? baseUrl.pathname : `${baseUrl.pathname}/`;
    this.agent = new Agent({
      connections: 256,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.idleMs,
      connect: { timeout: timeouts.connectMs },
    });
  }

  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    try {
      const response = await this.agent.request({
        origin: this.origin,
        path: this.basePath + call.path,
        method: call.method,
        headers: call.headers,
        body: call.body,
        signal: call.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw classifyTransportError(error);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
