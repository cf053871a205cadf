import type { Key } from './key.js';

/**
 * works: the key is accepted (2xx). rejected: the provider still refuses it (401/403).
 * inconclusive: anything else (5xx, a transport error, too slow): says nothing about the key.
 */
export type ProbeVerdict = 'works' | 'rejected' | 'inconclusive';

export interface ProbeResult {
  readonly verdict: ProbeVerdict;
  /** Undefined when no answer came (transport error, deadline). */
  readonly status: number | undefined;
}

/** Why a key is probed: the periodic re-check of a disabled key, or checking a 403. */
export type ProbeReason = 'recheck' | 'verify';

/** Asks the provider whether a key still works, carrying nothing of any client's request. */
export type KeyProber = (key: Key, reason: ProbeReason) => Promise<ProbeResult>;

export function verdictOf(status: number | undefined): ProbeVerdict {
  if (status === undefined) return 'inconclusive';
  if (status >= 200 && status < 300) return 'works';
  if (status === 401 || status === 403) return 'rejected';
  return 'inconclusive';
}
