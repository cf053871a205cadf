/**
 * A JSON object body validated and indexed in one pass over its bytes, without building it.
 * The gateway needs a request's validity and two or three top-level fields (model, stream,
 * stream_options), then forwards the bytes untouched: materialising the whole document with
 * JSON.parse was the largest cost of a bridged request. Accepts exactly what
 * `JSON.parse(bytes.toString('utf8'))` accepts (the property tests hold it to that).
 */

const COMMA = Buffer.from(',');

export interface MemberSpan {
  readonly key: string;
  /** Byte offsets of the member's value. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export type JsonScan =
  | { readonly kind: 'object'; readonly object: JsonObjectText }
  | { readonly kind: 'not-object' }
  | { readonly kind: 'invalid' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OBJECT = 1;
const ARRAY = 2;

const VALUE = 0;
const KEY = 1;
const AFTER = 2;

/** 1 for JSON whitespace. */
const WHITESPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WHITESPACE[c] = 1;

/** Bytes that end the fast path inside a string: the quote, a backslash, control characters. */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** The characters that may follow a backslash, besides `u`. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

function skipWhitespace(b: Buffer, i: number): number {
  while (i < b.length && WHITESPACE[b[i] ?? 0] === 1) i++;
  return i;
}

/**
 * The body's bytes as 32-bit words, for skipping string contents four bytes at a time: a
 * byte-at-a-time loop over the strings of a request (most of its bytes) was the largest
 * cost of validating it. `base` is the offset in the body of the first whole word.
 */
interface Words {
  readonly words: Int32Array;
  readonly base: number;
}

function wordsOf(b: Buffer): Words | undefined {
  const start = (b.byteOffset + 3) & ~3;
  const end = (b.byteOffset + b.length) & ~3;
  if (end - start < 64) return undefined;
  return { words: new Int32Array(b.buffer, start, (end - start) >> 2), base: start - b.byteOffset };
}

/**
 * Index of the first word at or after `w` holding a byte that stops a string's fast path:
 * below 0x20, a quote or a backslash. Each test is exact for the word as a whole (the
 * classic "has a byte less than n" and "has a zero byte" bit tricks).
 */
function firstStopWord(words: Int32Array, w: number): number {
  const n = words.length;
  for (; w < n; w++) {
    const x = words[w] ?? 0;
    const quote = x ^ 0x22222222;
    const backslash = x ^ 0x5c5c5c5c;
    const stops =
      ((x - 0x20202020) & ~x) |
      ((quote - 0x01010101) & ~quote) |
      ((backslash - 0x01010101) & ~backslash);
    if ((stops & 0x80808080) !== 0) return w;
  }
  return n;
}

/** `i` is on the opening quote; returns the offset after the closing one, or -1. */
function skipString(b: Buffer, i: number, words: Words | undefined): number {
  const n = b.length;
  let j = i + 1;
  for (;;) {
    if (words !== undefined) {
      // Bytes up to a word boundary, then whole words, then the stop byte's word.
      while (j < n && ((j - words.base) & 3) !== 0 && STRING_STOP[b[j] ?? 0] === 0) j++;
      if (j >= words.base && ((j - words.base) & 3) === 0 && STRING_STOP[b[j] ?? 0] === 0) {
        j = words.base + (firstStopWord(words.words, (j - words.base) >> 2) << 2);
      }
    }
    while (j < n && STRING_STOP[b[j] ?? 0] === 0) j++;
    if (j >= n) return -1;
    const c = b[j];
    if (c === QUOTE) return j + 1;
    if (c !== BACKSLASH) return -1;
    const escaped = b[j + 1] ?? 0;
    if (SIMPLE_ESCAPE[escaped] === 1) j += 2;
    else if (escaped === 0x75) {
      for (let k = j + 2; k < j + 6; k++) if (HEX[b[k] ?? 0] !== 1) return -1;
      j += 6;
    } else return -1;
  }
}

function skipDigits(b: Buffer, i: number): number {
  const start = i;
  while (i < b.length && (b[i] ?? 0) >= 0x30 && (b[i] ?? 0) <= 0x39) i++;
  return i === start ? -1 : i;
}

function skipNumber(b: Buffer, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if ((i = skipDigits(b, i)) < 0) return -1;
  if (b[i] === 0x2e && (i = skipDigits(b, i + 1)) < 0) return -1;
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if ((i = skipDigits(b, i)) < 0) return -1;
  }
  return i;
}

function skipLiteral(b: Buffer, i: number, literal: string): number {
  for (let k = 0; k < literal.length; k++) if (b[i + k] !== literal.charCodeAt(k)) return -1;
  return i + literal.length;
}

function decodeKey(b: Buffer, start: number, end: number): string {
  for (let k = start + 1; k < end - 1; k++) {
    if (b[k] === BACKSLASH) return JSON.parse(b.toString('utf8', start, end)) as string;
  }
  return b.toString('utf8', start + 1, end - 1);
}

/** Validates any JSON text; indexes the top-level members when it is an object. */
export function scanJson(b: Buffer): JsonScan {
  const words = wordsOf(b);
  const stack: number[] = [];
  const members: MemberSpan[] = [];
  let i = skipWhitespace(b, 0);
  const isObject = b[i] === 0x7b;
  let pendingKey: string | undefined;
  let pendingStart = 0;
  // What comes next: a value, a key (or the end of an empty object), or what follows a value.
  let expect = VALUE;
  for (;;) {
    if (expect === VALUE) {
      i = skipWhitespace(b, i);
      const c = b[i];
      if (c === 0x7b || c === 0x5b) {
        const container = c === 0x7b ? OBJECT : ARRAY;
        i = skipWhitespace(b, i + 1);
        if (b[i] === (container === OBJECT ? 0x7d : 0x5d)) {
          i++;
          expect = AFTER;
        } else {
          stack.push(container);
          expect = container === OBJECT ? KEY : VALUE;
        }
        continue;
      }
      if (c === QUOTE) i = skipString(b, i, words);
      else if (c === 0x74) i = skipLiteral(b, i, 'true');
      else if (c === 0x66) i = skipLiteral(b, i, 'false');
      else if (c === 0x6e) i = skipLiteral(b, i, 'null');
      else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) i = skipNumber(b, i);
      else return { kind: 'invalid' };
      if (i < 0) return { kind: 'invalid' };
      expect = AFTER;
      continue;
    }
    if (expect === KEY) {
      i = skipWhitespace(b, i);
      if (b[i] !== QUOTE) return { kind: 'invalid' };
      const keyStart = i;
      i = skipString(b, i, words);
      if (i < 0) return { kind: 'invalid' };
      const keyEnd = i;
      i = skipWhitespace(b, i);
      if (b[i] !== 0x3a) return { kind: 'invalid' };
      i = skipWhitespace(b, i + 1);
      if (stack.length === 1) {
        pendingKey = decodeKey(b, keyStart, keyEnd);
        pendingStart = i;
      }
      expect = VALUE;
      continue;
    }
    // After a value: close the member it belonged to, then a comma, a closer, or the end.
    if (pendingKey !== undefined && stack.length === 1) {
      members.push({ key: pendingKey, valueStart: pendingStart, valueEnd: i });
      pendingKey = undefined;
    }
    i = skipWhitespace(b, i);
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i !== b.length) return { kind: 'invalid' };
      return isObject
        ? { kind: 'object', object: new JsonObjectText(b, members) }
        : { kind: 'not-object' };
    }
    const c = b[i];
    if (c === 0x2c) {
      i++;
      expect = top === OBJECT ? KEY : VALUE;
    } else if ((top === OBJECT && c === 0x7d) || (top === ARRAY && c === 0x5d)) {
      stack.pop();
      i++;
    } else return { kind: 'invalid' };
  }
}

/** A validated JSON object: its bytes and where each top-level member's value lies. */
export class JsonObjectText {
  constructor(
    readonly raw: Buffer,
    readonly members: readonly MemberSpan[],
  ) {}

  /** The member JSON parsers keep: the last of duplicates. */
  member(key: string): MemberSpan | undefined {
    for (let m = this.members.length - 1; m >= 0; m--) {
      const member = this.members[m];
      if (member?.key === key) return member;
    }
    return undefined;
  }

  /** A member's value, parsed (only that member), or undefined when absent. */
  value(key: string): unknown {
    const member = this.member(key);
    return member === undefined
      ? undefined
      : (JSON.parse(this.raw.toString('utf8', member.valueStart, member.valueEnd)) as unknown);
  }

  /**
   * The elements of a member that is an array, last first, each parsed only when the
   * iteration reaches it: a reader of the last few messages of a long conversation parses
   * those, not the whole array. Empty when the member is absent or not an array.
   */
  *lastElements(key: string): Generator<unknown, void, undefined> {
    const member = this.member(key);
    if (member === undefined || this.raw[member.valueStart] !== 0x5b) return;
    const spans = elementSpans(this.raw, member.valueStart, member.valueEnd);
    for (let e = spans.length - 2; e >= 0; e -= 2) {
      yield JSON.parse(this.raw.toString('utf8', spans[e], spans[e + 1])) as unknown;
    }
  }

  /**
   * A copy with one member set to `valueJson`: replaced in place when present, otherwise
   * inserted first. Every other byte stays as the client sent it.
   */
  withMember(key: string, valueJson: string): Buffer {
    return this.spliced([this.memberSplice(key, valueJson)]);
  }

  /** The splice `withMember` makes, for combining with other edits of the same body. */
  memberSplice(key: string, valueJson: string | Buffer | readonly Buffer[]): Splice {
    const value = typeof valueJson === 'string' ? Buffer.from(valueJson) : valueJson;
    const existing = this.member(key);
    if (existing !== undefined) {
      return { start: existing.valueStart, end: existing.valueEnd, bytes: value };
    }
    const at = this.raw.indexOf(0x7b) + 1;
    // Pieces, not one Buffer: a large value (the injected tools) is copied once, by `spliced`.
    const bytes = [
      Buffer.from(`${JSON.stringify(key)}:`),
      ...(Buffer.isBuffer(value) ? [value] : value),
      ...(this.members.length === 0 ? [] : [COMMA]),
    ];
    return { start: at, end: at, bytes };
  }

  /** A copy with non-overlapping splices applied; the bytes between them stay as they are. */
  spliced(splices: readonly Splice[]): Buffer {
    const ordered = [...splices].sort((a, b) => a.start - b.start);
    const parts: Buffer[] = [];
    let at = 0;
    let previousInsertion = -1;
    for (const splice of ordered) {
      parts.push(this.raw.subarray(at, splice.start));
      const insertion = splice.start === splice.end;
      // Two members inserted into an empty object need the comma neither carries.
      if (insertion && this.members.length === 0 && splice.start === previousInsertion) {
        parts.push(COMMA);
      }
      if (Buffer.isBuffer(splice.bytes)) parts.push(splice.bytes);
      else parts.push(...splice.bytes);
      if (insertion) previousInsertion = splice.start;
      at = splice.end;
    }
    parts.push(this.raw.subarray(at));
    return Buffer.concat(parts);
  }
}

/**
 * Start and end offsets (flattened pairs) of the elements of the array at `start`..`end` of
 * an already validated body: only depth and strings are tracked, nothing is built.
 */
function elementSpans(b: Buffer, start: number, end: number): number[] {
  const words = wordsOf(b);
  const spans: number[] = [];
  let depth = 0;
  let elementStart = -1;
  let last = start;
  for (let i = start; i < end;) {
    const c = b[i];
    if (c === QUOTE) {
      if (depth === 1 && elementStart < 0) elementStart = i;
      i = skipString(b, i, words);
      last = i;
      continue;
    }
    if (c === 0x5b || c === 0x7b) {
      if (depth === 1 && elementStart < 0) elementStart = i;
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) break;
    } else if (depth === 1 && c === 0x2c) {
      spans.push(elementStart, last);
      elementStart = -1;
    } else if (depth === 1 && elementStart < 0 && WHITESPACE[c ?? 0] !== 1) {
      elementStart = i;
    }
    i++;
    if (WHITESPACE[c ?? 0] !== 1) last = i;
  }
  if (elementStart >= 0) spans.push(elementStart, last);
  return spans;
}

/**
 * Replace bytes `start`..`end` of a body with `bytes` (an insertion when they are equal);
 * `bytes` may come in pieces, joined only when the body is.
 */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly bytes: Buffer | readonly Buffer[];
}
