import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSseEvent } from '../../sse/writer.js';
import { eventData, eventNumbers } from './event-fields.js';

const eventNumber = (raw: Buffer, key: 'sequence_number' | 'output_index'): number | undefined =>
  key === 'sequence_number' ? eventNumbers(raw).sequence : eventNumbers(raw).outputIndex;

const event = (data: string): Buffer => formatSseEvent('response.output_text.delta', data);

describe('eventNumbers', () => {
  it('reads the top-level counts without parsing', () => {
    const raw = event('{"type":"x","output_index":12,"delta":"a","sequence_number":340}');
    expect(eventNumber(raw, 'output_index')).toBe(12);
    expect(eventNumber(raw, 'sequence_number')).toBe(340);
    expect(eventNumber(event('{"type":"x"}'), 'sequence_number')).toBeUndefined();
  });

  it('is not fooled by the key inside a string, a nested object or an odd layout', () => {
    const inString = event('{"delta":"\\"sequence_number\\":7","sequence_number":3}');
    expect(eventNumber(inString, 'sequence_number')).toBe(3);
    const nested = event('{"response":{"metadata":{"sequence_number":"9"}},"sequence_number":4}');
    expect(eventNumber(nested, 'sequence_number')).toBe(4);
    const nestedNumber = event(
      '{"sequence_number":5,"response":{"metadata":{"sequence_number":9}}}',
    );
    expect(eventNumber(nestedNumber, 'sequence_number')).toBe(5);
    expect(eventNumber(event('{ "sequence_number" :\t6 }'), 'sequence_number')).toBe(6);
    expect(eventNumber(event('{"sequence_number":6.5}'), 'sequence_number')).toBe(6.5);
    const multiLine = formatSseEvent('x', '{"a":1,\n"sequence_number":\n8}');
    expect(eventNumber(multiLine, 'sequence_number')).toBe(8);
  });

  it('agrees with JSON.parse on events with the count at the top level, or without it', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.nat(), { nil: undefined }),
        (extra, sequence, nested) => {
          const body: Record<string, unknown> = { ...extra };
          if (sequence !== undefined) {
            body['sequence_number'] = sequence;
            if (nested !== undefined) body['response'] = { metadata: { sequence_number: nested } };
          }
          const raw = event(JSON.stringify(body));
          const expected = (JSON.parse(eventData(raw)) as Record<string, unknown>)[
            'sequence_number'
          ];
          expect(eventNumber(raw, 'sequence_number')).toBe(
            typeof expected === 'number' ? expected : undefined,
          );
        },
      ),
    );
  });
});
