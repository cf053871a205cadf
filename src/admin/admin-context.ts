import type { IssuedTokens } from '../auth/issued-tokens.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Exchange } from '../interception/exchange.js';
import type { InterceptionStore } from '../recorder/sql/interception-store.js';
import { describeDatabaseError } from '../recorder/sql/database-errors.js';
import type { Logger } from '../log/logger.js';

/** The recording database as the admin API reads it. */
export interface AdminRecords {
  use<T>(operation: (store: InterceptionStore) => Promise<T>): Promise<T>;
}

/** What a route handler has to work with. */
export interface AdminContext {
  readonly exchange: Exchange;
  readonly method: string;
  /** The query string, without its `?`. */
  readonly search: string;
  readonly logger: Logger;
  /** Undefined with `database: off`. */
  readonly records: AdminRecords | undefined;
  readonly issuedTokens: IssuedTokens | undefined;
}

/**
 * With `database: off` nothing is recorded and no token can be issued: 503, like a database
 * that is down, but saying what to change (the route exists; the service behind it is off).
 */
export const recordingOff = (): GatewayError =>
  new GatewayError(
    503,
    'unavailable',
    'recording is off (database: off): there are no interceptions, usage or issued tokens; set database (or SWITCHYARD_DATABASE) to sqlite:PATH or postgres://…',
  );

/** Runs a database operation; its failure becomes a 503 naming the cause (never a secret). */
export async function fromDatabase<T>(
  context: AdminContext,
  operation: () => Promise<T>,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    const reason = describeDatabaseError(error);
    context.logger.warn({ error: reason }, 'admin API: the recording database failed');
    throw new GatewayError(503, 'unavailable', `the recording database is unavailable: ${reason}`, {
      'retry-after': '5',
    });
  }
}

export function methodNotAllowed(allow: string): GatewayError {
  return new GatewayError(405, 'method_not_allowed', `use ${allow}`, { allow });
}

export function requireMethod(context: AdminContext, allow: string): void {
  if (context.method !== allow) throw methodNotAllowed(allow);
}
