import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJson } from './json-object.js';

/** What the scanner must agree with. */
function reference(bytes: Buffer): 'object' | 'not-object' | 'invalid' {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? 'object'
      : 'not-object';
  } catch {
    return 'invalid';
  }
}

function members(bytes: Buffer): [string, unknown][] {
  const scan = scanJson(bytes);
  if (scan.kind !== 'object') throw new Error(scan.kind);
  return scan.object.members.map((m) => [
    m.key,
    JSON.parse(bytes.toString('utf8', m.valueStart, m.valueEnd)),
  ]);
}

describe('scanJson', () => {
  it.each([
    ['{}', 'object'],
    [' { "a" : 1 } ', 'object'],
    ['{"a":[1,{"b":"}"}],"c":"q\\"uo}te","d":-0.5e+10,"e":null,"f":true,"g":false}', 'object'],
    ['{"\\u00e9":"\\ud83d\\ude00"}', 'object'],
    ['[1,2]', 'not-object'],
    ['"text"', 'not-object'],
    ['12', 'not-object'],
    ['', 'invalid'],
    ['{', 'invalid'],
    ['{"a":1,}', 'invalid'],
    ['{"a" 1}', 'invalid'],
    ['{"a":01}', 'invalid'],
    ['{"a":1.}', 'invalid'],
    ['{"a":.5}', 'invalid'],
    ['{"a":+1}', 'invalid'],
    ['{"a":"\\x"}', 'invalid'],
    ['{"a":"\\u12g4"}', 'invalid'],
    ['{"a":"line\nbreak"}', 'invalid'],
    ['{"a":tru}', 'invalid'],
    ['{"a":1}{"b":2}', 'invalid'],
    ['\uFEFF{}', 'invalid'],
    ['{"a":[1,]}', 'invalid'],
    ['{"a":[}', 'invalid'],
    ["{'a':1}", 'invalid'],
    ['{"a":1}\n', 'object'],
  ])('%j → %s', (text, kind) => {
    expect(scanJson(Buffer.from(text)).kind).toBe(kind);
    expect(reference(Buffer.from(text))).toBe(kind);
  });

  it('indexes top-level members with exact value spans and decoded keys', () => {
    const bytes = Buffer.from(
      '{"model":"claude","str\\u0065am":true,"n":{"model":"inner"},"model":"last"}',
    );
    expect(members(bytes)).toEqual([
      ['model', 'claude'],
      ['stream', true],
      ['n', { model: 'inner' }],
      ['model', 'last'],
    ]);
    const scan = scanJson(bytes);
    expect(scan.kind === 'object' && scan.object.value('model')).toBe('last');
  });

  it('agrees with JSON.parse on any JSON document', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = Buffer.from(JSON.stringify(value));
        expect(scanJson(bytes).kind).toBe(reference(bytes));
        if (reference(bytes) === 'object') {
          expect(Object.fromEntries(members(bytes))).toEqual(JSON.parse(bytes.toString()));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with JSON.parse on mutated documents', () => {
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      ':',
      ',',
      ' ',
      '\n',
      '\t',
      '0',
      '1',
      '-',
      '.',
      'e',
      'E',
      '+',
      'u',
      'a',
      'n',
      't',
      'f',
      'l',
      '\u0001',
      'é',
    ];
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('insert', 'delete', 'replace'),
            fc.constantFrom(...alphabet),
          ),
          { maxLength: 4 },
        ),
        (value, edits) => {
          let text = JSON.stringify({ v: value });
          for (const [at, op, ch] of edits) {
            const pos = at % (text.length + 1);
            if (op === 'insert') text = text.slice(0, pos) + ch + text.slice(pos);
            else if (op === 'delete') text = text.slice(0, pos) + text.slice(pos + 1);
            else text = text.slice(0, pos) + ch + text.slice(pos + 1);
          }
          const bytes = Buffer.from(text);
          expect(scanJson(bytes).kind).toBe(reference(bytes));
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('agrees with JSON.parse on long strings at every alignment, whatever bytes they hold', () => {
    // Long strings take the word-at-a-time path; a stop byte may sit anywhere in a word,
    // and a request body may start anywhere in its memory.
    // Mostly characters a string may hold, now and then one it may not hold raw.
    const piece = fc.oneof(
      {
        arbitrary: fc.constantFrom('a', 'é', ' ', '~', '\\n', '\\"', '\\\\', '\\u00e9'),
        weight: 200,
      },
      { arbitrary: fc.constantFrom('"', '\\', '\n', '\t', '\u0001', '\u001f'), weight: 1 },
    );
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 60, maxLength: 400 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        (pieces, padding, offset) => {
          const text = `{"k":${' '.repeat(padding)}"${pieces.join('')}","z":1}`;
          const backing = Buffer.alloc(offset + Buffer.byteLength(text));
          backing.write(text, offset);
          const bytes = backing.subarray(offset);
          expect(scanJson(bytes).kind).toBe(reference(bytes));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees on invalid UTF-8 inside strings, which JSON.parse reads as U+FFFD', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}'),
    ]);
    expect(scanJson(bytes).kind).toBe(reference(bytes));
  });
});

describe('JsonObjectText.withMember', () => {
  const object = (text: string) => {
    const scan = scanJson(Buffer.from(text));
    if (scan.kind !== 'object') throw new Error('not an object');
    return scan.object;
  };

  it('inserts a missing member first and leaves every other byte alone', () => {
    const text = '{"model":"gpt","n":12345678901234567890,"stream":true}';
    expect(object(text).withMember('stream_options', '{"include_usage":true}').toString()).toBe(
      '{"stream_options":{"include_usage":true},"model":"gpt","n":12345678901234567890,"stream":true}',
    );
  });

  it('replaces an existing member in place, the last of duplicates', () => {
    const text = '{"model":"gpt",\n  "stream_options": {"include_usage": false},\n"stream":true}';
    expect(object(text).withMember('stream_options', '{"include_usage":true}').toString()).toBe(
      '{"model":"gpt",\n  "stream_options": {"include_usage":true},\n"stream":true}',
    );
    expect(object('{"a":1,"a":2}').withMember('a', '3').toString()).toBe('{"a":1,"a":3}');
  });

  it('handles an empty object and multi-byte text before the edit', () => {
    expect(object('{}').withMember('a', '1').toString()).toBe('{"a":1}');
    expect(object('{"é":"ü","x":1}').withMember('x', '2').toString()).toBe('{"é":"ü","x":2}');
  });
});

describe('JsonObjectText.spliced', () => {
  const object = (text: string) => {
    const scan = scanJson(Buffer.from(text));
    if (scan.kind !== 'object') throw new Error('not an object');
    return scan.object;
  };

  it('applies several edits in one copy, in offset order whatever the order given', () => {
    const body = object('{"a":1, "b":[2] ,"c":3}');
    const end = body.member('b')?.valueEnd ?? 0;
    const edits = [
      { start: end - 1, end: end - 1, bytes: Buffer.from(',9') },
      body.memberSplice('c', '"x"'),
      body.memberSplice('new', 'true'),
    ];
    expect(body.spliced(edits).toString()).toBe('{"new":true,"a":1, "b":[2,9] ,"c":"x"}');
  });

  it('separates two members inserted into an empty object', () => {
    const body = object('{ }');
    const result = body.spliced([body.memberSplice('a', '1'), body.memberSplice('b', '2')]);
    expect(JSON.parse(result.toString())).toEqual({ a: 1, b: 2 });
  });
});

describe('lastElements', () => {
  const elementsOf = (text: string, key = 'a'): unknown[] => {
    const scan = scanJson(Buffer.from(text));
    if (scan.kind !== 'object') throw new Error('not an object');
    return [...scan.object.lastElements(key)];
  };

  it('gives an array member’s elements last first, as JSON.parse reads them', () => {
    const documents = [
      '{"a":[]}',
      '{"a":[ ]}',
      '{"a":[1]}',
      '{"a":[1,2,3]}',
      '{ "a" : [ 1 , "two" , null , true , false , -3.5e2 ] }',
      '{"a":[{"role":"user","content":"a ] } , [ \\" quote"},[1,[2,[3]]],{}]}',
      '{"a":["\\u00e9\\n", "ünïcödé ✓", {"k":[",",","]}]}',
      `{"b":1,"a":[${Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, text: 'x'.repeat(i * 7) })).join(',\n  ')}],"c":[9]}`,
    ];
    for (const text of documents) {
      const parsed = (JSON.parse(text) as { a: unknown[] }).a;
      expect(elementsOf(text), text).toEqual([...parsed].reverse());
    }
  });

  it('agrees with JSON.parse on any array, however it is spaced', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.boolean(), (array, spaced) => {
        const text = `{"a":${JSON.stringify(array, null, spaced ? 2 : undefined)}}`;
        const parsed = (JSON.parse(text) as { a: unknown[] }).a;
        expect(elementsOf(text)).toEqual([...parsed].reverse());
      }),
    );
  });

  it('is empty for an absent member or one that is not an array', () => {
    expect(elementsOf('{"a":{"b":[1]}}')).toEqual([]);
    expect(elementsOf('{"a":"[1,2]"}')).toEqual([]);
    expect(elementsOf('{"b":[1]}')).toEqual([]);
  });

  it('parses only as far as the reader goes', () => {
    const scan = scanJson(Buffer.from('{"a":[{"bad":1},{"last":2}]}'));
    if (scan.kind !== 'object') throw new Error('not an object');
    const first = scan.object.lastElements('a').next();
    expect(first.value).toEqual({ last: 2 });
  });
});
