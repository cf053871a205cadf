import type { BreakerSettings } from '../breaker/circuit-breaker.js';
import { ProviderBreakers } from '../breaker/provider-breakers.js';
import type { Clock } from '../keypool/clock.js';
import type { Key } from '../keypool/key.js';
import { verdictOf, type ProbeReason, type ProbeResult } from '../keypool/key-probe.js';
import { Pool } from '../keypool/pool.js';
import { DisabledKeyRecheck } from '../keypool/recheck.js';
import { logKeyTransition } from '../keypool/transition-log.js';
import { logBreakerTransition } from '../breaker/transition-log.js';
import type { Logger } from '../log/logger.js';
import { Cancellation } from './cancellation.js';
import { readFailedBody } from './failed-body.js';
import type { FailoverTarget } from './failover.js';
import { UpstreamHttpClient, type UpstreamTransport } from './http-client.js';
import type { UpstreamTimeouts } from './timeouts.js';

export type ProviderType = 'anthropic' | 'openai';

export interface ProviderSettings {
  readonly name: string;
  readonly type: ProviderType;
  readonly baseUrl: URL;
  readonly keys: readonly string[];
  readonly timeouts: UpstreamTimeouts;
  /** How soon a disabled key is first re-checked; 0 never. Backs off up to an hour. */
  readonly recheckDisabledKeysMs: number;
  /** disable: a 403 disables the key. verify: a 403 is checked first (see the key pool contract). */
  readonly onForbidden: 'disable' | 'verify';
  /** `circuit_breaker`; undefined: the provider has none. */
  readonly circuitBreaker?: BreakerSettings | undefined;
}

/** The cheapest authenticated call each API has, below the provider's base URL. */
const PROBE_PATH: Record<ProviderType, string> = { anthropic: 'v1/models', openai: 'models' };

/** A probe checks one key; past this it says nothing about it. */
const PROBE_DEADLINE_MS = 10_000;

/** One key probe, for tracing. Times are the clock's. */
export interface ProbeEvent {
  readonly provider: string;
  readonly keyIndex: number;
  readonly keyHint: string;
  readonly reason: ProbeReason;
  readonly status: number | undefined;
  readonly verdict: ProbeResult['verdict'];
  readonly startedAt: number;
  readonly endedAt: number;
}

/** A configured provider: its key pool and its connection pool, shared by every request. */
export class Provider implements FailoverTarget {
  readonly name: string;
  readonly type: ProviderType;
  readonly pool: Pool;
  readonly http: UpstreamTransport & { close(): Promise<void> };
  readonly onForbidden: 'disable' | 'verify';
  /** Per API × model; undefined without `circuit_breaker`. */
  readonly breakers: ProviderBreakers | undefined;
  private readonly recheck: DisabledKeyRecheck | undefined;
  private readonly probeListeners = new Set<(probe: ProbeEvent) => void>();

  constructor(
    settings: ProviderSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    http?: UpstreamTransport & { close(): Promise<void> },
  ) {
    this.name = settings.name;
    this.type = settings.type;
    this.onForbidden = settings.onForbidden;
    this.pool = new Pool(settings.keys, clock);
    this.http = http ?? new UpstreamHttpClient(settings.baseUrl, settings.timeouts);
    this.breakers =
      settings.circuitBreaker === undefined
        ? undefined
        : new ProviderBreakers(this.name, settings.circuitBreaker, clock);
    this.breakers?.onTransition((event) => {
      logBreakerTransition(logger, event);
    });
    const recheckOn = settings.recheckDisabledKeysMs > 0;
    this.pool.onTransition((transition) => {
      logKeyTransition(logger, this.name, transition, recheckOn);
    });
    this.recheck = recheckOn
      ? new DisabledKeyRecheck(
          this.pool,
          (key, reason) => this.probeKey(key, reason),
          clock,
          settings.recheckDisabledKeysMs,
          ({ key, result, nextInMs }) => {
            if (nextInMs === undefined) return;
            logger.warn(
              {
                provider: this.name,
                index: key.index,
                key: key.hint,
                status: result.status,
                verdict: result.verdict,
                next_in_ms: nextInMs,
              },
              'key re-check: still not usable',
            );
          },
        )
      : undefined;
  }

  /** Every key probe, re-check or verification (tracing); returns an unsubscribe. */
  onProbe(listener: (probe: ProbeEvent) => void): () => void {
    this.probeListeners.add(listener);
    return () => this.probeListeners.delete(listener);
  }

  /** Puts a pool key where this provider's API expects it. */
  setKeyHeader(headers: Record<string, string>, secret: string): void {
    if (this.type === 'anthropic') headers['x-api-key'] = secret;
    else headers['authorization'] = `Bearer ${secret}`;
  }

  /**
   * Lists models with `key` through the same client as every request, carrying nothing of
   * any client's request: only the key and the API version header.
   */
  async probeKey(key: Key, reason: ProbeReason, requester?: Cancellation): Promise<ProbeResult> {
    const startedAt = this.clock.now();
    const cancellation = new Cancellation();
    const cancelDeadline = this.clock.schedule(PROBE_DEADLINE_MS, () => {
      cancellation.cancel('deadline');
    });
    const unlink = requester?.onCancel(() => {
      cancellation.cancel(requester.reason ?? 'client');
    });
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (this.type === 'anthropic') headers['anthropic-version'] = '2023-06-01';
    this.setKeyHeader(headers, key.secret);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await this.http.send({
        method: 'GET',
        path: PROBE_PATH[this.type],
        headers,
        body: undefined,
        cancellation,
      });
      status = response.status;
      await readFailedBody(response.body, this.clock);
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    } finally {
      cancelDeadline();
      unlink?.();
    }
    const result: ProbeResult = { verdict: verdictOf(status), status };
    if (this.probeListeners.size > 0) {
      const event: ProbeEvent = {
        provider: this.name,
        keyIndex: key.index,
        keyHint: key.hint,
        reason,
        status,
        verdict: result.verdict,
        startedAt,
        endedAt: this.clock.now(),
      };
      for (const listener of this.probeListeners) listener(event);
    }
    this.logger.info(
      {
        provider: this.name,
        index: key.index,
        key: key.hint,
        reason,
        status,
        verdict: result.verdict,
        error,
      },
      `key probe (${reason}): GET ${PROBE_PATH[this.type]} → ${status ?? 'no answer'}`,
    );
    return result;
  }

  async close(): Promise<void> {
    this.recheck?.stop();
    this.breakers?.close();
    await this.http.close();
  }
}
