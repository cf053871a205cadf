import { formatSseEvent } from '../../sse/writer.js';
import { asRecord, countField, parseJson } from '../json-access.js';

const INDEX_KEY = Buffer.from('"index"');
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;

/** Where a content block event's top-level `index` lies in the event's bytes. */
export interface IndexField {
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number | undefined): boolean {
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
  const open = raw.indexOf(OPEN_OBJECT);
  if (open < 0) return undefined;
  const key = raw.indexOf(INDEX_KEY, open);
  if (key < 0) return undefined;
  for (let i = open + 1; i < key; i++) {
    if (raw[i] === OPEN_OBJECT || raw[i] === OPEN_ARRAY) return undefined;
  }
  let i = key + INDEX_KEY.length;
  while (isWhitespace(raw[i])) i++;
  if (raw[i] !== 0x3a) return undefined;
  i++;
  while (isWhitespace(raw[i])) i++;
  const start = i;
  while (isDigit(raw[i])) i++;
  // A fraction, an exponent or an absurd length is not an index we would rewrite.
  if (i === start || i - start > 9 || raw[i] === 0x2e || raw[i] === 0x65 || raw[i] === 0x45) {
    return undefined;
  }
  return { value: Number(raw.toString('latin1', start, i)), start, end: i };
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
