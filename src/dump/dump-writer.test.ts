import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/support/capture-logger.js';
import { DumpWriter } from './dump-writer.js';
import { SecretScrubber } from './secret-scrubber.js';

const scrubber = (): SecretScrubber => new SecretScrubber(['sk-writer-secret-0000111122223333']);

function messages(lines: readonly string[]): string[] {
  return lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
}

describe('DumpWriter', () => {
  it('appends pieces in order, creating directories, scrubbing secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dump-writer-'));
    const { logger } = captureLogger();
    const writer = new DumpWriter({ logger, budgetBytes: 1 << 20 });
    const file = writer.open(join(dir, 'a', 'b', 'x.resp'), scrubber());
    for (let i = 0; i < 50; i++) file.write(`piece ${i}\n`);
    file.write('key sk-writer-secret-0000111122223333 end');
    file.end();
    await writer.idle();
    const text = readFileSync(join(dir, 'a', 'b', 'x.resp'), 'utf8');
    expect(text).toBe(
      `${Array.from({ length: 50 }, (_, i) => `piece ${i}\n`).join('')}key [redacted sk-…3333] end`,
    );
    expect(writer.stats()).toMatchObject({ queuedBytes: 0, droppedBytes: 0, failedWrites: 0 });
  });

  it('cuts files short past the byte budget, says so in the file, counts and logs once per burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dump-writer-'));
    const { logger, lines } = captureLogger();
    const writer = new DumpWriter({ logger, budgetBytes: 100 });
    const files = [0, 1, 2].map((i) => writer.open(join(dir, `${i}.resp`), scrubber()));
    // Written synchronously: nothing can reach the disk before the budget is spent.
    for (const file of files) file.write('x'.repeat(60));
    for (const file of files) file.write('y'.repeat(10));
    for (const file of files) file.end();
    await writer.idle();
    const contents = [0, 1, 2].map((i) => {
      try {
        return readFileSync(join(dir, `${i}.resp`), 'utf8');
      } catch {
        return undefined;
      }
    });
    expect(contents[0]).toBe(`${'x'.repeat(60)}${'y'.repeat(10)}`);
    expect(contents[1]).toMatch(/^\n# switchyard: the rest of this exchange was not dumped/);
    expect(contents[2]).toMatch(/^\n# switchyard: the rest of this exchange was not dumped/);
    expect(writer.stats()).toMatchObject({
      queuedBytes: 0,
      writtenBytes: expect.any(Number) as number,
      truncatedFiles: 2,
      droppedBytes: 140,
    });
    expect(messages(lines)).toEqual([
      'API dump: queue full (the disk is slower than the traffic); files are cut short until it drains',
      'API dump: queue drained',
    ]);
  });

  it('a file system that refuses is counted and logged once, never thrown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dump-writer-'));
    // A dump directory below a file: every mkdir fails (root ignores read-only modes).
    writeFileSync(join(dir, 'not-a-dir'), '');
    const { logger, lines } = captureLogger();
    const writer = new DumpWriter({ logger, budgetBytes: 1 << 20 });
    for (let i = 0; i < 5; i++) {
      const file = writer.open(join(dir, 'not-a-dir', 'sub', `${i}.req`), scrubber());
      file.write('hello');
      file.write(' world');
      file.end();
    }
    await writer.idle();
    expect(writer.stats()).toMatchObject({
      failedWrites: 5,
      queuedBytes: 0,
      writtenBytes: 0,
      droppedBytes: 5 * 'hello world'.length,
    });
    expect(messages(lines)).toHaveLength(1);
    expect(lines[0]).toMatch(/"code":"ENOTDIR"|"code":"EEXIST"/);

    // Writes that succeed again end the burst, with one line.
    const ok = writer.open(join(dir, 'ok', 'x.req'), scrubber());
    ok.write('fine');
    ok.end();
    await writer.idle();
    expect(messages(lines)).toEqual([
      expect.stringMatching(/^API dump: cannot write/) as string,
      'API dump: writes succeed again',
    ]);
    expect(readFileSync(join(dir, 'ok', 'x.req'), 'utf8')).toBe('fine');
  });
});
