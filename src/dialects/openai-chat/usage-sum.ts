import { mutableRecord, type MutableRecord } from './mutable-record.js';

/**
 * Two Chat `usage` objects added up, for the one answer of a loop: every count is summed,
 * in nested details too (cached, reasoning, audio, prediction tokens, and whatever an
 * OpenAI-compatible provider adds), so no count needs naming here. A value that is not a
 * count (a flag, a tier) comes from the later answer.
 */
export function addUsage(earlier: unknown, later: unknown): unknown {
  const a = mutableRecord(earlier);
  const b = mutableRecord(later);
  if (a === undefined) return later ?? earlier;
  if (b === undefined) return earlier;
  const sum: MutableRecord = { ...a };
  for (const [key, value] of Object.entries(b)) sum[key] = addValue(a[key], value);
  return sum;
}

function addValue(earlier: unknown, later: unknown): unknown {
  if (typeof later === 'number') return typeof earlier === 'number' ? earlier + later : later;
  if (later === null || later === undefined) return earlier ?? later;
  if (mutableRecord(later) !== undefined) return addUsage(earlier, later);
  return later;
}
