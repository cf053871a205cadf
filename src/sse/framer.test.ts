import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseEventTooLargeError, SseFramer } from './framer.js';
import { formatSseEvent } from './writer.js';

interface Seen {
  type: string;
  data: string;
  raw: string;
}

function run(
  input: string,
  chunkSizes: number[] | 'bytes' | 'whole',
): { events: Seen[]; forwarded: string; pending: number } {
  const events: Seen[] = [];
  const framer = new SseFramer((type, event) => {
    events.push({ type, data: event.data(), raw: event.raw().toString() });
    return undefined;
  });
  const bytes = Buffer.from(input);
  const parts: Buffer[] = [];
  if (chunkSizes === 'whole') parts.push(bytes);
  else if (chunkSizes === 'bytes')
    for (let i = 0; i < bytes.length; i++) parts.push(bytes.subarray(i, i + 1));
  else {
    let at = 0;
    let n = 0;
    while (at < bytes.length) {
      const size = chunkSizes[n++ % chunkSizes.length] ?? 1;
      parts.push(bytes.subarray(at, at + size));
      at += size;
    }
  }
  const forwarded = parts.map((p) => framer.push(Buffer.from(p)).toString()).join('');
  return { events, forwarded, pending: framer.pendingBytes };
}

const splits: (number[] | 'bytes' | 'whole')[] = [
  'whole',
  'bytes',
  [2, 5],
  [7],
  [3, 1, 4, 1, 5, 9, 2, 6],
];

describe('SseFramer', () => {
  const streams: { name: string; input: string; events: Omit<Seen, 'raw'>[] }[] = [
    {
      name: 'anthropic-style named events',
      input: 'event: message_start\ndata: {"a":1}\n\nevent: ping\ndata: {}\n\n',
      events: [
        { type: 'message_start', data: '{"a":1}' },
        { type: 'ping', data: '{}' },
      ],
    },
    {
      name: 'CRLF line ends',
      input: 'event: x\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n',
      events: [
        { type: 'x', data: '1' },
        { type: '', data: '2' },
      ],
    },
    {
      name: 'CR line ends',
      input: 'event: x\rdata: 1\r\rdata: 2\r\r',
      events: [
        { type: 'x', data: '1' },
        { type: '', data: '2' },
      ],
    },
    {
      name: 'multi-line data, no space after colon, comments, unknown fields',
      input: ': keep-alive\n\ndata:a\ndata: b\nid: 7\nretry: 10\nfoo: bar\n\n',
      events: [{ type: '', data: 'a\nb' }],
    },
    {
      name: 'event type after data and an empty data line',
      input: 'data\nevent: late\n\n',
      events: [{ type: 'late', data: '' }],
    },
    {
      name: 'a BOM at the start',
      input: '\uFEFFdata: first\n\n',
      events: [{ type: '', data: 'first' }],
    },
    {
      name: 'multi-byte UTF-8 split anywhere',
      input: 'data: {"text":"héllo ✓ 😀"}\n\n',
      events: [{ type: '', data: '{"text":"héllo ✓ 😀"}' }],
    },
    {
      name: 'an event without data is not dispatched',
      input: 'event: lonely\n\ndata: [DONE]\n\n',
      events: [{ type: '', data: '[DONE]' }],
    },
  ];

  for (const stream of streams) {
    it.each(splits)(`${stream.name} (chunks %j)`, (split) => {
      const result = run(stream.input, split);
      expect(result.events.map(({ type, data }) => ({ type, data }))).toEqual(stream.events);
      expect(result.forwarded).toBe(stream.input);
      expect(result.pending).toBe(0);
    });
  }

  it('forwards only complete events and holds back a partial one', () => {
    const input = 'data: one\n\ndata: tw';
    for (const split of splits) {
      const result = run(input, split);
      expect(result.forwarded).toBe('data: one\n\n');
      expect(result.pending).toBe('data: tw'.length);
      expect(result.events).toHaveLength(1);
    }
  });

  it('raw() is the event exactly as sent', () => {
    const input = 'event: a\r\ndata: 1\r\n\r\nevent: b\ndata: 2\n\n';
    const result = run(input, 'whole');
    expect(result.events.map((e) => e.raw)).toEqual([
      'event: a\r\ndata: 1\r\n\r\n',
      'event: b\ndata: 2\n\n',
    ]);
  });

  it('a handler can replace or drop an event', () => {
    const framer = new SseFramer((type) => {
      if (type === 'drop') return Buffer.alloc(0);
      if (type === 'swap') return Buffer.from('data: swapped\n\n');
      return undefined;
    });
    const out = framer.push(
      Buffer.from('data: keep\n\nevent: drop\ndata: x\n\nevent: swap\ndata: y\n\ndata: tail\n\n'),
    );
    expect(out.toString()).toBe('data: keep\n\ndata: swapped\n\ndata: tail\n\n');
  });

  it('a forwarded chunk that ends on an event boundary is passed on without copying', () => {
    const framer = new SseFramer(() => undefined);
    const chunk = Buffer.from('data: a\n\ndata: b\n\n');
    expect(framer.push(chunk).buffer).toBe(chunk.buffer);
  });

  it('refuses an event that grows past the limit', () => {
    const framer = new SseFramer(() => undefined, 64);
    expect(() => framer.push(Buffer.from('data: ' + 'x'.repeat(100)))).toThrow(
      SseEventTooLargeError,
    );
  });
});

describe('formatSseEvent', () => {
  it('writes named events and splits multi-line data', () => {
    expect(formatSseEvent('error', '{"a":1}').toString()).toBe('event: error\ndata: {"a":1}\n\n');
    expect(formatSseEvent(undefined, 'a\nb').toString()).toBe('data: a\ndata: b\n\n');
  });

  it('round-trips through the framer', () => {
    const result = run(formatSseEvent('x', 'line1\nline2').toString(), 'bytes');
    expect(result.events).toEqual([
      { type: 'x', data: 'line1\nline2', raw: 'event: x\ndata: line1\ndata: line2\n\n' },
    ]);
  });
});

describe('SseFramer against any split of any stream', () => {
  const line = fc.oneof(
    fc.stringMatching(/^[a-z ]{0,8}$/).map((v) => `data: ${v}`),
    fc.stringMatching(/^[a-z_.]{1,10}$/).map((v) => `event: ${v}`),
    fc.constant(': comment'),
    fc.constant('id: 1'),
  );
  const eol = fc.constantFrom('\n', '\r', '\r\n');
  const event = fc
    .tuple(fc.array(fc.tuple(line, eol), { minLength: 1, maxLength: 4 }), eol)
    .map(([lines, end]) => lines.map(([l, e]) => l + e).join('') + end);

  it('forwards every complete event byte for byte, whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1 }),
        (events, sizes) => {
          const input = events.join('');
          const whole = run(input, 'whole');
          const split = run(input, sizes);
          const fields = (seen: Seen[]) => seen.map(({ type, data }) => ({ type, data }));
          expect(fields(split.events)).toEqual(fields(whole.events));
          expect(split.forwarded).toBe(whole.forwarded);
          // Whatever is held back is a suffix of the input that completes no event.
          expect(whole.forwarded + input.slice(whole.forwarded.length)).toBe(input);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
