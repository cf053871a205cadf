import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkNeedsReading } from './chunk-screen.js';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };

function chunk(choice: Record<string, unknown>, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }], usage: null, ...extra })}\n\n`,
  );
}

describe('chunkNeedsReading', () => {
  it('lets text deltas through unread, whatever text without a quote they carry', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('"')),
        (text) => !chunkNeedsReading(chunk({ delta: { content: text } })),
      ),
    );
  });

  it('never misses what the loop must read, whatever text comes with it', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const delta = { content: text };
        return (
          chunkNeedsReading(
            chunk({ delta: { ...delta, tool_calls: [{ index: 0, function: { arguments: '' } }] } }),
          ) &&
          chunkNeedsReading(chunk({ delta, finish_reason: 'stop' })) &&
          chunkNeedsReading(chunk({ delta }, { usage: { prompt_tokens: 1 } })) &&
          chunkNeedsReading(
            Buffer.from(`data: ${JSON.stringify({ error: { message: text } })}\n\n`),
          )
        );
      }),
    );
  });

  it('reads past a null finish_reason and usage written with spaces', () => {
    expect(
      chunkNeedsReading(Buffer.from('data: {"finish_reason" : null, "usage" : null}\n\n')),
    ).toBe(false);
    expect(chunkNeedsReading(Buffer.from('data: {"finish_reason" : "length"}\n\n'))).toBe(true);
  });
});
