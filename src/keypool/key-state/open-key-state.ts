import type { Logger } from '../../telemetry/logger.js';
import type { Clock } from '../clock.js';
import { keyFingerprinter, processFingerprinter } from './fingerprint.js';
import { KeyStateStore } from './key-state-store.js';
import { MemoryKeyStateHub } from './memory-hub.js';

export interface KeyStateSettings {
  /** Shared by every replica through Redis; undefined: this process alone. */
  readonly redis: { readonly url: string; readonly keyStateSecret: string } | undefined;
}

/**
 * The key-state store the configuration asks for. The Redis client is loaded only when
 * `redis` is configured.
 */
export async function openKeyStateStore(
  settings: KeyStateSettings,
  deps: { readonly clock: Clock; readonly logger: Logger },
): Promise<KeyStateStore> {
  if (settings.redis === undefined) {
    return new KeyStateStore({
      channel: new MemoryKeyStateHub(deps.clock).channel(),
      fingerprint: processFingerprinter(),
      ...deps,
    });
  }
  const { RedisKeyStateChannel } = await import('./redis-channel.js');
  return new KeyStateStore({
    channel: new RedisKeyStateChannel({ url: settings.redis.url }),
    fingerprint: keyFingerprinter(settings.redis.keyStateSecret),
    ...deps,
  });
}
