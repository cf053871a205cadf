/**
 * What the primary and its workers tell each other besides key state (whose messages carry
 * `ks`, primary-protocol.ts). Every one carries `sy`.
 */
export type WorkerMessage =
  /** Serving: the address, for the primary's startup line. */
  | { readonly sy: 'listening'; readonly url: string }
  /** The outcome of a reload the primary asked for. */
  | { readonly sy: 'reloaded'; readonly generation: number; readonly error?: string }
  /** A scrape reached this worker: the primary answers with every worker's metrics. */
  | { readonly sy: 'scrape'; readonly id: number }
  /** This worker's metrics (prom-client's JSON), for the scrape `id` of the primary. */
  | { readonly sy: 'metrics'; readonly id: number; readonly metrics: unknown };

export type PrimaryMessage =
  /** Run the shutdown of the contract, as on SIGTERM. */
  | { readonly sy: 'shutdown' }
  /** Apply this configuration text, which the primary has validated. */
  | { readonly sy: 'reload'; readonly generation: number; readonly text: string }
  /** Send your metrics for scrape `id`. */
  | { readonly sy: 'collect'; readonly id: number }
  /** Every worker's metrics, aggregated, for the scrape `id` this worker asked for. */
  | { readonly sy: 'scraped'; readonly id: number; readonly text: string };

/** Names the worker env variables the primary sets. */
export const WORKER_SLOT_ENV = 'SWITCHYARD_WORKER_SLOT';
export const WORKER_SECRET_ENV = 'SWITCHYARD_WORKER_KEY_STATE_SECRET';
/** The configuration text the primary validated last, read instead of the file. */
export const WORKER_CONFIG_ENV = 'SWITCHYARD_WORKER_CONFIG';

const FROM_WORKER = new Set(['listening', 'reloaded', 'scrape', 'metrics']);
const FROM_PRIMARY = new Set(['shutdown', 'reload', 'collect', 'scraped']);

const syOf = (message: unknown): unknown =>
  typeof message === 'object' && message !== null ? (message as { sy?: unknown }).sy : undefined;

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  return FROM_WORKER.has(syOf(message) as string);
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  return FROM_PRIMARY.has(syOf(message) as string);
}
