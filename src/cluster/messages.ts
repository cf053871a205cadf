/**
 * What the primary and its workers tell each other besides key state (whose messages carry
 * `ks`, primary-protocol.ts). Every one carries `sy`.
 */
export type WorkerMessage =
  /** Serving: the address, for the primary's startup line. */
  | { readonly sy: 'listening'; readonly url: string }
  /** The outcome of a reload the primary asked for. */
  | { readonly sy: 'reloaded'; readonly generation: number; readonly error?: string };

export type PrimaryMessage =
  /** Run the shutdown of the contract, as on SIGTERM. */
  | { readonly sy: 'shutdown' }
  /** Apply this configuration text, which the primary has validated. */
  | { readonly sy: 'reload'; readonly generation: number; readonly text: string };

/** Names the worker env variables the primary sets. */
export const WORKER_SLOT_ENV = 'SWITCHYARD_WORKER_SLOT';
export const WORKER_SECRET_ENV = 'SWITCHYARD_WORKER_KEY_STATE_SECRET';
/** The configuration text the primary validated last, read instead of the file. */
export const WORKER_CONFIG_ENV = 'SWITCHYARD_WORKER_CONFIG';

export function isMessage(message: unknown): message is WorkerMessage | PrimaryMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { sy?: unknown }).sy === 'string'
  );
}
