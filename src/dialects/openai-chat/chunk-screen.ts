/**
 * Tells, from a Chat chunk's bytes alone, whether the loop must read it: most chunks of a
 * turn are text deltas, forwarded without being parsed. A member the loop needs always
 * appears as its quoted key (upstreams do not escape key characters), so a chunk without
 * one needs no reading; the same bytes inside a string (text that quotes them) only cost
 * a parse.
 */

const TOOL_CALLS = Buffer.from('"tool_calls"');
const ERROR = Buffer.from('"error"');
const USAGE = Buffer.from('"usage"');
const FINISH_REASON = Buffer.from('"finish_reason"');
const DONE = Buffer.from('[DONE]');

const COLON = 0x3a;
const LOWER_N = 0x6e;

function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Whether some `key` in the chunk has a value other than null. */
function hasNonNullMember(raw: Buffer, key: Buffer): boolean {
  for (let at = raw.indexOf(key); at !== -1; at = raw.indexOf(key, at + key.length)) {
    let i = at + key.length;
    while (isJsonSpace(raw[i])) i++;
    if (raw[i] !== COLON) continue;
    i++;
    while (isJsonSpace(raw[i])) i++;
    if (raw[i] !== LOWER_N) return true;
  }
  return false;
}

/** Tool-call deltas, a finish reason, a usage object or an error. */
export function chunkNeedsReading(raw: Buffer): boolean {
  return (
    raw.includes(TOOL_CALLS) ||
    raw.includes(ERROR) ||
    hasNonNullMember(raw, FINISH_REASON) ||
    hasNonNullMember(raw, USAGE)
  );
}

/** The `data: [DONE]` that ends a Chat stream; `data()` is decoded only for small events. */
export function isDoneEvent(raw: Buffer, data: () => string): boolean {
  return raw.length <= 64 && raw.includes(DONE) && data() === '[DONE]';
}

export function mentionsUsage(raw: Buffer): boolean {
  return raw.includes(USAGE);
}
