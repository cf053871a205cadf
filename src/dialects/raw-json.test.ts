import { describe, expect, it } from 'vitest';
import { setTopLevelMember, topLevelMembers } from './raw-json.js';

describe('topLevelMembers', () => {
  it('finds members and value spans, skipping nested structures and tricky strings', () => {
    const text =
      ' { "a" : 1e400 , "b":{"a":[1,{"x":"}"}]},"c":"q\\"uo}te","d":[[]],"e":null,"f":true } ';
    const members = topLevelMembers(text);
    expect(members.map((m) => [m.key, text.slice(m.valueStart, m.valueEnd)])).toEqual([
      ['a', '1e400'],
      ['b', '{"a":[1,{"x":"}"}]}'],
      ['c', '"q\\"uo}te"'],
      ['d', '[[]]'],
      ['e', 'null'],
      ['f', 'true'],
    ]);
  });

  it('decodes escaped keys', () => {
    expect(topLevelMembers('{"str\\u0065am":true}').map((m) => m.key)).toEqual(['stream']);
  });
});

describe('setTopLevelMember', () => {
  it('inserts a missing member first and leaves every other byte alone', () => {
    const text = '{"model":"gpt","n":12345678901234567890,"stream":true}';
    expect(setTopLevelMember(text, 'stream_options', '{"include_usage":true}')).toBe(
      '{"stream_options":{"include_usage":true},"model":"gpt","n":12345678901234567890,"stream":true}',
    );
  });

  it('replaces an existing member in place', () => {
    const text =
      '{"model":"gpt",\n  "stream_options": {"include_usage": false, "x": 1},\n"stream":true}';
    const edited = setTopLevelMember(text, 'stream_options', '{"include_usage":true,"x":1}');
    expect(edited).toBe(
      '{"model":"gpt",\n  "stream_options": {"include_usage":true,"x":1},\n"stream":true}',
    );
    expect(JSON.parse(edited)).toEqual({
      model: 'gpt',
      stream_options: { include_usage: true, x: 1 },
      stream: true,
    });
  });

  it('edits the last of duplicate keys, the one parsers keep', () => {
    const edited = setTopLevelMember('{"a":1,"a":2}', 'a', '3');
    expect(edited).toBe('{"a":1,"a":3}');
  });

  it('handles an empty object', () => {
    expect(setTopLevelMember('{}', 'a', '1')).toBe('{"a":1}');
  });
});
