import type { InterceptionCursor } from '../recorder/sql/interception-store.js';

/**
 * The list's cursor: where the page ended, (started_at, id), as base64url JSON. Opaque to
 * clients, who only hand back what `next_cursor` gave them, so its form may change.
 */
export function encodeCursor(cursor: InterceptionCursor): string {
  return Buffer.from(JSON.stringify([cursor.startedAt, cursor.id])).toString('base64url');
}

/** The cursor, or undefined if `text` is not one this API gave out. */
export function decodeCursor(text: string): InterceptionCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(text)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [startedAt, id] = value as unknown[];
  if (typeof startedAt !== 'number' || !Number.isSafeInteger(startedAt)) return undefined;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) return undefined;
  return { startedAt, id };
}
