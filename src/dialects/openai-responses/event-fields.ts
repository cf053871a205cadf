import { SseFramer } from '../../sse/framer.js';
import { asRecord, parseJson, type JsonRecord } from '../json-access.js';

/**
 * Reading the numbers every Responses event carries (`sequence_number`, `output_index`)
 * straight from the event's bytes, so the events that pass untouched (nearly all of them:
 * the text deltas) are neither decoded nor parsed.
 */

export interface EventNumbers {
  readonly sequence: number | undefined;
  readonly outputIndex: number | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const DATA = Buffer.from('data:');
const SEQUENCE_KEY = Buffer.from('sequence_number');
const OUTPUT_INDEX_KEY = Buffer.from('output_index');
/** Past this many bytes a string's end is looked up natively rather than byte by byte. */
const LONG_STRING = 48;

function startsWith(raw: Buffer, at: number, bytes: Buffer): boolean {
  for (let k = 0; k < bytes.length; k++) if (raw[at + k] !== bytes[k]) return false;
  return true;
}

/** `at` is on an opening quote; the offset of the closing one (the length if none). */
function stringEnd(raw: Buffer, at: number): number {
  const n = raw.length;
  let i = at + 1;
  const shortEnd = Math.min(n, i + LONG_STRING);
  for (; i < shortEnd; i++) {
    const c = raw[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) i++;
  }
  for (;;) {
    const quote = raw.indexOf(QUOTE, i);
    if (quote === -1) return n;
    // Escaped when an odd number of backslashes precedes it.
    let backslashes = 0;
    while (quote - backslashes - 1 >= at && raw[quote - backslashes - 1] === BACKSLASH) {
      backslashes++;
    }
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/**
 * The event's top-level `sequence_number` and `output_index`, from one pass over its
 * `data:` lines that tracks nesting and skips string contents, so a key inside a nested
 * object or a string is never taken for the event's own. A key at the top level whose
 * value is not a plain count (an odd layout, a fraction) is settled by parsing.
 */
export function eventNumbers(raw: Buffer): EventNumbers {
  let sequence: number | undefined;
  let outputIndex: number | undefined;
  let unclear = false;
  const n = raw.length;
  let depth = 0;
  let lineStart = true;
  let inData = false;
  for (let i = 0; i < n; i++) {
    const c = raw[i];
    if (c === LF || c === CR) {
      lineStart = true;
      inData = false;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      inData = startsWith(raw, i, DATA);
      if (inData) i += DATA.length - 1;
      continue;
    }
    if (!inData) continue;
    if (c === QUOTE) {
      const end = stringEnd(raw, i);
      const length = end - i - 1;
      const key =
        depth !== 1
          ? undefined
          : length === SEQUENCE_KEY.length && startsWith(raw, i + 1, SEQUENCE_KEY)
            ? 'sequence'
            : length === OUTPUT_INDEX_KEY.length && startsWith(raw, i + 1, OUTPUT_INDEX_KEY)
              ? 'outputIndex'
              : undefined;
      i = end;
      if (key === undefined) continue;
      let j = end + 1;
      while (raw[j] === SPACE || raw[j] === TAB) j++;
      if (raw[j] !== COLON) continue;
      j++;
      while (raw[j] === SPACE || raw[j] === TAB) j++;
      let value = 0;
      let digits = 0;
      for (let d = raw[j] ?? 0; d >= 0x30 && d <= 0x39; d = raw[++j] ?? 0) {
        value = value * 10 + (d - 0x30);
        digits++;
      }
      const next = raw[j];
      if (digits === 0 || digits > 15 || next === 0x2e || next === 0x65 || next === 0x45) {
        unclear = true;
      } else if (key === 'sequence') sequence = value;
      else outputIndex = value;
      i = j - 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  if (!unclear) return { sequence, outputIndex };
  const body = eventBody(raw);
  const count = (value: unknown) => (typeof value === 'number' ? value : undefined);
  return { sequence: count(body?.['sequence_number']), outputIndex: count(body?.['output_index']) };
}

/** The data of one whole SSE event (as the framer handed it over), decoded. */
export function eventData(raw: Buffer): string {
  let data = '';
  new SseFramer((_type, event) => {
    data = event.data();
    return undefined;
  }).push(raw);
  return data;
}

/** The event's JSON object, or undefined when its data is not one. */
export function eventBody(raw: Buffer): JsonRecord | undefined {
  return asRecord(parseJson(eventData(raw)));
}
