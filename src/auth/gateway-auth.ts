import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../telemetry/logger.js';
import { GatewayTokens, type TokenEntry } from './gateway-tokens.js';
import type { IssuedTokenStore } from './issued-token-store.js';
import { IssuedTokens } from './issued-tokens.js';

/** The gateway's tokens: configured and issued, in one lookup. */
export interface GatewayAuth {
  readonly tokens: GatewayTokens;
  /** Undefined with `database: off`: only configured tokens then. */
  readonly issued: IssuedTokens | undefined;
  /** Stops following the database and writes pending last-used times. */
  stop(): Promise<void>;
}

export interface GatewayAuthDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long startup waits for the issued tokens before serving without them (ms). */
  readonly loadWaitMs?: number;
  readonly pollMs?: number;
}

/**
 * A slow database must not hold startup back for long; past this the tokens load in the
 * background and, until they have, only configured tokens authenticate.
 */
const LOAD_WAIT_MS = 1000;

/** Builds the lookup from the configuration and, with a database, loads the issued tokens. */
export async function startGatewayAuth(
  configured: readonly TokenEntry[],
  store: IssuedTokenStore | undefined,
  deps: GatewayAuthDeps,
): Promise<GatewayAuth> {
  const tokens = new GatewayTokens(configured);
  if (store === undefined) {
    return { tokens, issued: undefined, stop: () => Promise.resolve() };
  }
  const issued = new IssuedTokens({
    store,
    tokens,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.pollMs === undefined ? {} : { pollMs: deps.pollMs }),
  });
  const controller = new AbortController();
  const started = issued.start();
  const first = await Promise.race([
    started.then(() => 'settled' as const),
    sleep(deps.loadWaitMs ?? LOAD_WAIT_MS, 'waiting' as const, {
      signal: controller.signal,
    }).catch(() => 'settled' as const),
  ]);
  controller.abort();
  // A failure is logged by IssuedTokens itself; only a database still silent is said here.
  if (first === 'waiting') {
    deps.logger.warn(
      'issued gateway tokens: the database is slow to answer; only configured tokens work until they are loaded',
    );
  }
  return {
    tokens,
    issued,
    async stop() {
      await started;
      await issued.stop();
    },
  };
}
