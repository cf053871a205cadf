/** A parsed JSON object the codec edits before sending it on; anything else is undefined. */
export type MutableRecord = Record<string, unknown>;

export function mutableRecord(value: unknown): MutableRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as MutableRecord)
    : undefined;
}
