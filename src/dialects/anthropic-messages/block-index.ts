import { formatSseEvent } from '../../sse/writer.js';
import { asRecord, countField, parseJson } from '../json-access.js';

const INDEX_KEY = Buffer.from('"index"');
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const QUOTE = 0x22;
const COLON = 0x3a;

/** Where a content block event's top-level `index` lies in the event's bytes. */
export interface IndexField {
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/**
 * The top-level `index` of a content block event, found in its bytes without decoding them:
 * text deltas are most of a stream, and decoding each one only to learn its block was the
 * cost the hot path cannot pay. Anthropic writes `index` before any nested object, so the
 * key is trusted only when no `{` or `[` precedes it inside the object (a quote inside a
 * string is escaped, so `"index"` cannot come from a string's content). Undefined when the
 * bytes are laid out otherwise: the caller then decodes the event.
 */
export function findIndexField(raw: Buffer): IndexField | undefined {
  // Byte loops rather than Buffer.indexOf: the key sits a few dozen bytes in, and a native
  // call per delta cost more than the whole walk.
  const n = raw.length;
  let i = 0;
  while (i < n && raw[i] !== OPEN_OBJECT) i++;
  for (i++; i < n; i++) {
    const c = raw[i];
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) return undefined;
    if (c === QUOTE && isIndexKey(raw, i)) break;
  }
  if (i >= n) return undefined;
  i += INDEX_KEY.length;
  while (isWhitespace(raw[i])) i++;
  if (raw[i] !== COLON) return undefined;
  i++;
  while (isWhitespace(raw[i])) i++;
  const start = i;
  let value = 0;
  for (let c = raw[i]; isDigit(c); c = raw[++i]) value = value * 10 + (c - 0x30);
  // A fraction, an exponent or an absurd length is not an index we would rewrite.
  if (i === start || i - start > 9 || raw[i] === 0x2e || raw[i] === 0x65 || raw[i] === 0x45) {
    return undefined;
  }
  return { value, start, end: i };
}

function isIndexKey(raw: Buffer, at: number): boolean {
  for (let k = 1; k < INDEX_KEY.length; k++) if (raw[at + k] !== INDEX_KEY[k]) return false;
  return true;
}

/** The `index` of an event's decoded data, when `findIndexField` could not read it. */
export function decodedIndex(data: string): number | undefined {
  const index = countField(asRecord(parseJson(data)), 'index');
  return index !== undefined && Number.isInteger(index) ? index : undefined;
}

/**
 * The event with its `index` set to `index`: its own bytes with the digits replaced when the
 * field was found in them, otherwise decoded, set and re-framed under the event's own type.
 */
export function withIndex(
  type: string,
  raw: Buffer,
  field: IndexField | undefined,
  data: string | undefined,
  index: number,
): Buffer {
  if (field !== undefined) {
    return Buffer.concat([
      raw.subarray(0, field.start),
      Buffer.from(String(index)),
      raw.subarray(field.end),
    ]);
  }
  const record = asRecord(parseJson(data ?? ''));
  if (record === undefined) return raw;
  return formatSseEvent(type === '' ? undefined : type, JSON.stringify({ ...record, index }));
}
