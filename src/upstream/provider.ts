import type { Clock } from '../keypool/clock.js';
import type { TransitionListener } from '../keypool/key.js';
import { Pool } from '../keypool/pool.js';
import { UpstreamHttpClient } from './http-client.js';
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
}

/** A configured provider: its key pool and its connection pool, shared by every request. */
export class Provider {
  readonly name: string;
  readonly type: ProviderType;
  readonly pool: Pool;
  readonly http: UpstreamHttpClient;

  constructor(settings: ProviderSettings, clock: Clock, onTransition?: TransitionListener) {
    this.name = settings.name;
    this.type = settings.type;
    this.pool = new Pool(settings.keys, clock, onTransition);
    this.http = new UpstreamHttpClient(settings.baseUrl, settings.timeouts);
  }

  /** Puts a pool key where this provider's API expects it. */
  setKeyHeader(headers: Record<string, string>, secret: string): void {
    if (this.type === 'anthropic') headers['x-api-key'] = secret;
    else headers['authorization'] = `Bearer ${secret}`;
  }
}
