import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../log/logger.js';
import { GatewayTokens, type TokenEntry } from './gateway-tokens.js';
import type { IssuedTokenStore } from './issued-token-store.js';
import { IssuedTokens } from './issued-tokens.js';

/** The gateway's tokens: configured and issued, in one lookup. */
export interface GatewayAuth {
  readonly tokens: GatewayTokens;
  /** Undefined with `database: off`: only configured tokens then. */
  readonly issued: IssuedTokens | undefined;
  /**
   * While the issued tokens are first loading, what a request waits for before its token
   * is judged (at most LOAD_WAIT_MS after startup); undefined from then on.
   */
  readonly loading: () => Promise<void> | undefined;
  /** Stops following the database and writes pending last-used times. */
  stop(): Promise<void>;
}

export interface GatewayAuthDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollMs?: number;
}

/**
 * A slow database must not hold requests back for long; past this the tokens load in the
 * background and, until they have, only configured tokens authenticate.
 */
const LOAD_WAIT_MS = 1000;

/**
 * Builds the lookup from the configuration and, with a database, starts loading the issued
 * tokens. Startup does not wait for them (a database that is down must not delay it, nor
 * put its errors before the gateway's first line); the first requests do, briefly, so an
 * issued token is never refused just because the gateway has only now started.
 */
export function startGatewayAuth(
  configured: readonly TokenEntry[],
  store: IssuedTokenStore | undefined,
  deps: GatewayAuthDeps,
): GatewayAuth {
  const tokens = new GatewayTokens(configured);
  if (store === undefined) {
    return { tokens, issued: undefined, loading: () => undefined, stop: () => Promise.resolve() };
  }
  const issued = new IssuedTokens({
    store,
    tokens,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
  });
  const started = issued.start();
  const controller = new AbortController();
  let pending: Promise<void> | undefined = Promise.race([
    started.then(() => 'settled' as const),
    sleep(LOAD_WAIT_MS, 'waiting' as const, { signal: controller.signal }).catch(
      () => 'settled' as const,
    ),
  ]).then((first) => {
    controller.abort();
    pending = undefined;
    // A failure is logged by IssuedTokens itself; only a database still silent is said here.
    if (first === 'waiting') {
      deps.logger.warn(
        'issued gateway tokens: the database is slow to answer; only configured tokens work until they are loaded',
      );
    }
  });
  return {
    tokens,
    issued,
    loading: () => pending,
    async stop() {
      controller.abort();
      await started;
      await issued.stop();
    },
  };
}
