import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseFramer } from '../../sse/framer.js';
import { formatSseEvent } from '../../sse/writer.js';
import { decodedIndex, findIndexField, withIndex } from './block-index.js';

function dataOf(bytes: Buffer): string {
  let data = '';
  new SseFramer((_type, view) => {
    data = view.data();
    return undefined;
  }).push(bytes);
  return data;
}

describe('findIndexField', () => {
  it('reads the index of a delta from its bytes and rewrites only its digits', () => {
    const raw = Buffer.from(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":12,"delta":{"type":"text_delta","text":"hi"}}\n\n',
    );
    const field = findIndexField(raw);
    expect(field?.value).toBe(12);
    expect(withIndex('content_block_delta', raw, field, undefined, 3).toString()).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"hi"}}\n\n',
    );
  });

  it('takes whitespace around the colon', () => {
    const raw = Buffer.from('data: { "type" : "content_block_stop", "index" :  7 }\n\n');
    expect(findIndexField(raw)?.value).toBe(7);
  });

  it.each([
    ['a nested index comes first', '{"delta":{"index":3},"index":1}'],
    ['an array comes first', '{"list":[1],"index":1}'],
    ['the index is a fraction', '{"index":1.5}'],
    ['the index is negative', '{"index":-1}'],
    ['the index is a string', '{"index":"1"}'],
    ['"index" is a value', '{"type":"index","n":1}'],
    ['there is no index', '{"type":"ping"}'],
  ])('gives up when %s', (_name, json) => {
    expect(findIndexField(Buffer.from(`data: ${json}\n\n`))).toBeUndefined();
  });

  it('is not fooled by "index" written inside a string', () => {
    const json = JSON.stringify({ type: 'x', text: '"index":9', index: 2 });
    expect(findIndexField(Buffer.from(`data: ${json}\n\n`))?.value).toBe(2);
    // A brace inside an earlier string looks like nesting: the caller decodes instead.
    const braced = JSON.stringify({ type: 'x', text: '{"index":8}', index: 2 });
    expect(findIndexField(Buffer.from(`data: ${braced}\n\n`))).toBeUndefined();
  });

  it('agrees with JSON.parse and rewrites to the same event for any delta text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.nat(5000),
        fc.nat(5000),
        fc.constantFrom('event: content_block_delta', undefined),
        (text, index, next, line) => {
          const data = JSON.stringify({
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text },
          });
          const raw = formatSseEvent(line === undefined ? undefined : 'content_block_delta', data);
          const field = findIndexField(raw);
          expect(field?.value).toBe(index);
          const rewritten = withIndex(line ?? '', raw, field, undefined, next);
          expect(JSON.parse(dataOf(rewritten))).toEqual({ ...JSON.parse(data), index: next });
        },
      ),
    );
  });
});

describe('withIndex without a field found in the bytes', () => {
  it('decodes, sets and re-frames under the same event line', () => {
    const data = '{"type":"content_block_delta","delta":{"index":0,"text":"x"},"index":1}';
    expect(decodedIndex(data)).toBe(1);
    const raw = formatSseEvent('content_block_delta', data);
    expect(withIndex('content_block_delta', raw, undefined, data, 4).toString()).toBe(
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"index":0,"text":"x"},"index":4}\n\n',
    );
    expect(withIndex('', raw, undefined, data, 4).toString()).toBe(
      'data: {"type":"content_block_delta","delta":{"index":0,"text":"x"},"index":4}\n\n',
    );
  });

  it('decodedIndex refuses what is not a whole count', () => {
    expect(decodedIndex('{"index":1.5}')).toBeUndefined();
    expect(decodedIndex('{"index":"1"}')).toBeUndefined();
    expect(decodedIndex('not json')).toBeUndefined();
  });
});
