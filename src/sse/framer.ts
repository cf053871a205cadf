const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const EMPTY = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface SseEventView {
  /** The event's data lines joined with "\n", decoded only when asked for. */
  data(): string;
  /**
   * The event's bytes as received, terminating blank line included (but for the LF of a
   * CRLF that arrives in the next chunk: that byte is forwarded with the next event).
   */
  raw(): Buffer;
}

/**
 * Called for each complete event (one with data, as the SSE spec dispatches). Return
 * undefined to forward the event's bytes untouched, or the bytes to send instead
 * (an empty buffer drops it).
 */
export type SseEventHandler = (type: string, event: SseEventView) => Buffer | undefined;

export class SseEventTooLargeError extends Error {
  constructor(limit: number) {
    super(`an upstream SSE event exceeded ${limit} bytes`);
    this.name = 'SseEventTooLargeError';
  }
}

function fieldIs(buf: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (buf[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * A byte-level SSE framer (WHATWG event-stream rules: LF, CR or CRLF line ends, comments,
 * optional space after the colon, BOM). `push` returns the bytes of every event the chunk
 * completed, byte for byte as the upstream sent them, so a gateway forwards events
 * without re-encoding them and never forwards half an event: a client parser cannot use
 * half an event anyway, and if the upstream dies mid-event the client gets a clean error
 * event instead of a fragment glued to it.
 */
export class SseFramer implements SseEventView {
  private buf: Buffer = EMPTY;
  private scanned = 0;
  private lineStart = 0;
  private afterCR = false;
  private started = false;
  private eventType = '';
  /** Start and end of each data value, relative to the start of the event being read. */
  private readonly dataRanges: number[] = [];
  private eventStart = 0;
  private current: Buffer = EMPTY;
  private currentStart = 0;
  private currentEnd = 0;

  constructor(
    private readonly onEvent: SseEventHandler,
    private readonly maxEventBytes = 16 * 1024 * 1024,
  ) {}

  /** Bytes of an event begun but not finished; dropped if the stream ends here. */
  get pendingBytes(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): Buffer {
    const buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.started) {
      if (buf.length < 3 && BOM.subarray(0, buf.length).equals(buf)) {
        this.buf = buf;
        return EMPTY;
      }
      this.started = true;
      if (BOM.equals(buf.subarray(0, 3))) this.lineStart = this.scanned = 3;
    }
    let segments: Buffer[] | undefined;
    let segmentStart = 0;
    let i = this.scanned;
    if (this.afterCR && i < buf.length) {
      // The CR that ended the previous chunk was the first half of a CRLF.
      this.afterCR = false;
      if (buf[i] === LF) {
        this.lineStart = i + 1;
        if (this.eventStart === i) this.eventStart = i + 1;
        i++;
      }
    }
    // Line ends are found with indexOf (native code) rather than byte by byte; most streams
    // have no CR at all, so its position is looked up again only once passed.
    let nextCR = buf.indexOf(CR, i);
    while (i < buf.length) {
      if (nextCR !== -1 && nextCR < i) nextCR = buf.indexOf(CR, i);
      const lf = buf.indexOf(LF, i);
      const end = lf === -1 ? nextCR : nextCR === -1 ? lf : Math.min(lf, nextCR);
      if (end === -1) break;
      let next = end + 1;
      if (end === nextCR) {
        if (next === buf.length) this.afterCR = true;
        else if (buf[next] === LF) next++;
      }
      if (end === this.lineStart) {
        const replacement = this.dispatch(buf, this.eventStart, next);
        if (replacement !== undefined) {
          segments ??= [];
          segments.push(buf.subarray(segmentStart, this.eventStart), replacement);
          segmentStart = next;
        }
        this.eventStart = next;
      } else {
        this.field(buf, this.lineStart, end);
      }
      this.lineStart = next;
      i = next;
    }
    const eventStart = this.eventStart;
    this.buf = buf.subarray(eventStart);
    this.scanned = this.buf.length;
    this.lineStart -= eventStart;
    this.eventStart = 0;
    if (this.buf.length > this.maxEventBytes) throw new SseEventTooLargeError(this.maxEventBytes);
    if (segments === undefined) return buf.subarray(0, eventStart);
    segments.push(buf.subarray(segmentStart, eventStart));
    return Buffer.concat(segments);
  }

  private dispatch(buf: Buffer, start: number, end: number): Buffer | undefined {
    if (this.dataRanges.length === 0) {
      this.eventType = '';
      return undefined;
    }
    this.current = buf;
    this.currentStart = start;
    this.currentEnd = end;
    try {
      return this.onEvent(this.eventType, this);
    } finally {
      this.eventType = '';
      this.dataRanges.length = 0;
      this.current = EMPTY;
    }
  }

  data(): string {
    const r = this.dataRanges;
    const base = this.currentStart;
    let text = '';
    for (let i = 0; i < r.length; i += 2) {
      if (i > 0) text += '\n';
      text += this.current.toString('utf8', base + (r[i] ?? 0), base + (r[i + 1] ?? 0));
    }
    return text;
  }

  raw(): Buffer {
    return this.current.subarray(this.currentStart, this.currentEnd);
  }

  private field(buf: Buffer, start: number, end: number): void {
    if (start === end || buf[start] === COLON) return;
    let nameEnd = buf.indexOf(COLON, start);
    let valueStart: number;
    if (nameEnd === -1 || nameEnd >= end) {
      nameEnd = end;
      valueStart = end;
    } else {
      valueStart = nameEnd + 1;
      if (buf[valueStart] === SPACE) valueStart++;
    }
    if (fieldIs(buf, start, nameEnd, 'data')) {
      this.dataRanges.push(valueStart - this.eventStart, end - this.eventStart);
    } else if (fieldIs(buf, start, nameEnd, 'event'))
      this.eventType = buf.toString('utf8', valueStart, end);
  }
}
