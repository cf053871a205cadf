import type { Key, TransitionCause } from './key.js';
import { parseRetryAfterMs, type HeaderRecord } from './retry-after.js';

export type FailoverTrigger = 'temporary' | 'permanent' | 'none';

/** Only 429 and 401/403 say something about the key; anything else is about the request or the provider. */
export function classifyStatus(status: number | undefined): FailoverTrigger {
  if (status === 429) return 'temporary';
  if (status === 401 || status === 403) return 'permanent';
  return 'none';
}

/**
 * Marks the key according to an upstream answer and says whether the caller should move on
 * to the next key. `status` is undefined for a transport error, which never fails over.
 */
export function applyStatusToKey(
  key: Key,
  status: number | undefined,
  headers: HeaderRecord | undefined,
  now: number,
  cause: TransitionCause,
): FailoverTrigger {
  const trigger = classifyStatus(status);
  if (trigger === 'temporary') key.markTemporary(parseRetryAfterMs(headers, now), cause);
  else if (trigger === 'permanent') key.markPermanent(cause);
  return trigger;
}
