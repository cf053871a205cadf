import type { Logger } from '../../log/logger.js';
import type { Clock } from '../clock.js';
import { keyFingerprinter, processFingerprinter } from './fingerprint.js';
import { KeyStateStore } from './key-state-store.js';
import { MemoryKeyStateHub } from './memory-hub.js';
import { PrimaryKeyStateChannel } from './primary-channel.js';
import type { IpcPort } from './primary-protocol.js';

export interface KeyStateSettings {
  /** Shared by every replica through Redis; undefined: this process alone. */
  readonly redis: { readonly url: string; readonly keyStateSecret: string } | undefined;
}

/** A worker of `--workers N`: the link to its primary and the secret every worker shares. */
export interface PrimaryLink {
  readonly port: IpcPort;
  readonly keyStateSecret: string;
}

/**
 * The key-state store the configuration asks for: Redis when configured (workers included:
 * every process of every replica then shares it directly), else the primary's when this
 * process is a worker, else this process's memory. The Redis client is loaded only when
 * `redis` is configured.
 */
export async function openKeyStateStore(
  settings: KeyStateSettings,
  deps: { readonly clock: Clock; readonly logger: Logger; readonly primary?: PrimaryLink },
): Promise<KeyStateStore> {
  const { primary, ...common } = deps;
  if (settings.redis === undefined) {
    if (primary !== undefined) {
      return new KeyStateStore({
        channel: new PrimaryKeyStateChannel(primary.port),
        fingerprint: keyFingerprinter(primary.keyStateSecret),
        ...common,
      });
    }
    return new KeyStateStore({
      channel: new MemoryKeyStateHub(deps.clock).channel(),
      fingerprint: processFingerprinter(),
      ...common,
    });
  }
  const { RedisKeyStateChannel } = await import('./redis-channel.js');
  return new KeyStateStore({
    channel: new RedisKeyStateChannel({ url: settings.redis.url }),
    fingerprint: keyFingerprinter(settings.redis.keyStateSecret),
    ...common,
  });
}
