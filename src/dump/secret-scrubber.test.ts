import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskedHint } from '../log/masked-hint.js';
import { SecretScrubber } from './secret-scrubber.js';

const KEY = 'sk-ant-scrubber-secret-key-000111';
const TOKEN = 'sy-scrubber-gateway-token-222333';

function scrub(secrets: readonly string[], pieces: readonly string[]): string {
  const scrubber = new SecretScrubber(secrets);
  const out = pieces.map((piece) => scrubber.push(Buffer.from(piece)));
  return Buffer.concat([...out, scrubber.end()]).toString();
}

describe('SecretScrubber', () => {
  it('replaces every occurrence of every secret with its masked hint', () => {
    expect(scrub([KEY, TOKEN], [`a ${KEY} b ${TOKEN} c ${KEY}`])).toBe(
      `a [redacted ${maskedHint(KEY)}] b [redacted ${maskedHint(TOKEN)}] c [redacted ${maskedHint(KEY)}]`,
    );
  });

  it('finds a secret split across pieces', () => {
    expect(scrub([KEY], ['before sk-ant-scr', 'ubber-secret-key', '-000111 after'])).toBe(
      `before [redacted ${maskedHint(KEY)}] after`,
    );
  });

  it('replaces a secret that contains another whole', () => {
    const short = 'sk-ant-scrubber-secret';
    expect(scrub([short, KEY], [KEY])).toBe(`[redacted ${maskedHint(KEY)}]`);
  });

  it('passes bytes through untouched without secrets', () => {
    const scrubber = new SecretScrubber([]);
    const chunk = Buffer.from('data: {}\n\n');
    expect(scrubber.push(chunk)).toBe(chunk);
  });

  it('never lets a secret through, however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 40 }),
        fc.array(fc.nat({ max: 120 }), { maxLength: 8 }),
        (before, after, cuts) => {
          const text = `${before}${KEY}${after}${TOKEN}`;
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces: string[] = [];
          let from = 0;
          for (const point of points) {
            pieces.push(text.slice(from, point));
            from = point;
          }
          pieces.push(text.slice(from));
          const out = scrub([KEY, TOKEN], pieces);
          expect(out).not.toContain(KEY);
          expect(out).not.toContain(TOKEN);
          expect(out).toBe(
            `${before}[redacted ${maskedHint(KEY)}]${after}[redacted ${maskedHint(TOKEN)}]`,
          );
        },
      ),
    );
  });
});
