import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { SecretScrubber } from './secret-scrubber.js';

/** What the dump has written and lost, for metrics and tests. */
export interface DumpStats {
  /** Bytes waiting to be written. */
  readonly queuedBytes: number;
  readonly writtenBytes: number;
  /** Bytes not written because the queue was full (a slow disk) or the file had failed. */
  readonly droppedBytes: number;
  /** Files cut short because the queue was full. */
  readonly truncatedFiles: number;
  /** Writes the file system refused (a full disk, a directory that is not one…). */
  readonly failedWrites: number;
}

export interface DumpWriterOptions {
  readonly logger: Logger;
  /** Bytes held in memory at most; past it, files are cut short and the loss counted. */
  readonly budgetBytes: number;
  /**
   * Writes under way at once. File system calls run on libuv's thread pool (4 threads by
   * default), which also resolves the providers' host names: the dump keeps to two.
   */
  readonly concurrency?: number;
}

/** One file being written: bytes appended in order, then ended. */
export interface DumpFile {
  write(bytes: Buffer | string): void;
  end(): void;
}

/** Appended to a file cut short, so that nobody mistakes it for a whole exchange. */
const TRUNCATED =
  '\n# switchyard: the rest of this exchange was not dumped (the dump queue was full)\n';

/** Directories known to exist; forgotten past this many (the date changes daily). */
const MAX_KNOWN_DIRS = 1000;

class QueuedFile implements DumpFile {
  pending: Buffer[] = [];
  pendingBytes = 0;
  ended = false;
  /** Cut short: nothing more is taken, the marker is appended at the end. */
  truncated = false;
  /** The file system refused it: nothing more is written. */
  failed = false;
  /** In the ready list or being written. */
  busy = false;
  done = false;

  constructor(
    readonly writer: DumpWriter,
    readonly path: string,
    readonly scrubber: SecretScrubber,
  ) {}

  write(bytes: Buffer | string): void {
    this.writer.take(this, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.writer.schedule(this);
  }
}

/**
 * The dump's files, written off the hot path: `write` only queues bytes in memory, within a
 * byte budget; a few workers append them to their files, a file's queued pieces in one
 * write. A full queue (a slow disk) cuts files short, and a file system that refuses (a
 * full disk) loses what it refused: both are counted and logged once per burst, never
 * thrown, and never make a response wait.
 */
export class DumpWriter {
  private readonly logger: Logger;
  private readonly budgetBytes: number;
  private readonly concurrency: number;
  private readonly ready: QueuedFile[] = [];
  private readonly knownDirs = new Set<string>();
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  private queued = 0;
  private written = 0;
  private dropped = 0;
  private truncatedFiles = 0;
  private failedWrites = 0;
  /** A run of refused writes, or of a full queue, logged when it starts and when it ends. */
  private failing: { count: number; code: string } | undefined;
  private overflowing: { files: number; bytes: number } | undefined;

  constructor(options: DumpWriterOptions) {
    this.logger = options.logger;
    this.budgetBytes = options.budgetBytes;
    this.concurrency = options.concurrency ?? 2;
  }

  open(path: string, scrubber: SecretScrubber): DumpFile {
    return new QueuedFile(this, path, scrubber);
  }

  stats(): DumpStats {
    return {
      queuedBytes: this.queued,
      writtenBytes: this.written,
      droppedBytes: this.dropped,
      truncatedFiles: this.truncatedFiles,
      failedWrites: this.failedWrites,
    };
  }

  /** Resolves when everything queued so far is written or given up (tests, shutdown). */
  idle(): Promise<void> {
    if (this.active === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** @internal */
  take(file: QueuedFile, bytes: Buffer): void {
    if (file.ended || bytes.length === 0) return;
    if (file.failed || file.truncated) {
      this.dropped += bytes.length;
      return;
    }
    if (this.queued + bytes.length > this.budgetBytes) {
      file.truncated = true;
      this.truncatedFiles++;
      this.dropped += bytes.length;
      this.overflowed(bytes.length);
      return;
    }
    file.pending.push(bytes);
    file.pendingBytes += bytes.length;
    this.queued += bytes.length;
    this.schedule(file);
  }

  /** @internal */
  schedule(file: QueuedFile): void {
    if (file.busy || file.done) return;
    file.busy = true;
    this.ready.push(file);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const file = this.ready.shift();
      if (file === undefined) break;
      this.active++;
      void this.flush(file);
    }
    if (this.active === 0 && this.ready.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async flush(file: QueuedFile): Promise<void> {
    const pieces = file.pending;
    const bytes = file.pendingBytes;
    file.pending = [];
    file.pendingBytes = 0;
    // Whether this write is the file's last: nothing can be added once it has ended.
    const last = file.ended;
    let data: Buffer | undefined;
    try {
      if (!file.failed) {
        const parts = [file.scrubber.push(Buffer.concat(pieces, bytes))];
        if (last) parts.push(file.scrubber.end());
        if (last && file.truncated) parts.push(Buffer.from(TRUNCATED));
        data = Buffer.concat(parts);
        if (data.length > 0) {
          await this.append(file.path, data);
          this.written += data.length;
          this.succeeded();
        }
      } else this.dropped += bytes;
    } catch (error) {
      file.failed = true;
      // What this write held, and what the scrubber still held back for the next one.
      this.dropped += (data?.length ?? bytes) + file.scrubber.end().length;
      this.refused(error);
    } finally {
      this.queued -= bytes;
      this.active--;
      file.busy = false;
      if (last) file.done = true;
      else if (file.pending.length > 0 || file.ended) this.schedule(file);
      this.drained();
      this.pump();
    }
  }

  private async append(path: string, data: Buffer): Promise<void> {
    const dir = dirname(path);
    if (!this.knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.knownDirs.size >= MAX_KNOWN_DIRS) this.knownDirs.clear();
      this.knownDirs.add(dir);
    }
    await appendFile(path, data);
  }

  private refused(error: unknown): void {
    this.failedWrites++;
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    if (this.failing !== undefined) {
      this.failing.count++;
      return;
    }
    this.failing = { count: 1, code };
    this.logger.error(
      { code, reason: (error as Error | undefined)?.message },
      `API dump: cannot write (${code}); what it refuses is lost, counted and not logged again until writes succeed`,
    );
  }

  private succeeded(): void {
    if (this.failing === undefined) return;
    this.logger.info(
      { failed_writes: this.failing.count, code: this.failing.code },
      'API dump: writes succeed again',
    );
    this.failing = undefined;
  }

  private overflowed(bytes: number): void {
    if (this.overflowing !== undefined) {
      this.overflowing.files++;
      this.overflowing.bytes += bytes;
      return;
    }
    this.overflowing = { files: 1, bytes };
    this.logger.warn(
      { budget_bytes: this.budgetBytes },
      'API dump: queue full (the disk is slower than the traffic); files are cut short until it drains',
    );
  }

  /** The overflow burst ends once the queue is half empty, not at every write that frees room. */
  private drained(): void {
    if (this.overflowing === undefined || this.queued > this.budgetBytes / 2) return;
    this.logger.info(
      { truncated_files: this.overflowing.files, dropped_bytes: this.overflowing.bytes },
      'API dump: queue drained',
    );
    this.overflowing = undefined;
  }
}
