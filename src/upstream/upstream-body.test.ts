import { describe, expect, it } from 'vitest';
import { UpstreamBody } from './upstream-body.js';

const controller = { pause: () => undefined, resume: () => undefined, abort: () => undefined };

describe('UpstreamBody.tap', () => {
  it('sees the chunks that arrived with the head, then the rest, then the end', () => {
    const body = new UpstreamBody(controller, 1000);
    body.push(Buffer.from('a'));
    body.push(Buffer.from('b'));
    const seen: string[] = [];
    body.tap(
      (chunk) => seen.push(chunk.toString()),
      (error) => seen.push(`end ${String(error)}`),
    );
    body.push(Buffer.from('c'));
    body.end();
    expect(seen).toEqual(['a', 'b', 'c', 'end undefined']);
  });

  it('leaves the chunks for the reader that pipes it afterwards', () => {
    const body = new UpstreamBody(controller, 1000);
    body.push(Buffer.from('a'));
    body.tap(undefined, () => undefined);
    const read: string[] = [];
    body.pipeTo({
      onData: (chunk) => read.push(chunk.toString()),
      onEnd: () => read.push('end'),
      onError: () => read.push('error'),
    });
    body.end();
    expect(read).toEqual(['a', 'end']);
  });
});
