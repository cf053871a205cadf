import { maskedHint } from '../log/masked-hint.js';

interface Target {
  readonly secret: Buffer;
  readonly replacement: Buffer;
}

/**
 * Replaces known secrets in a byte stream written piece by piece with their masked hints.
 * The last bytes of each piece are held back until the next one (or the end), so that a
 * secret split across two pieces is still found.
 */
export class SecretScrubber {
  private readonly targets: readonly Target[];
  /** The longest secret less one byte: what may start a secret that the next piece ends. */
  private readonly holdBack: number;
  private carry: Buffer = Buffer.alloc(0);

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another is replaced whole.
    this.targets = [...new Set(secrets)]
      .filter((secret) => secret.length > 0)
      .sort((a, b) => b.length - a.length)
      .map((secret) => ({
        secret: Buffer.from(secret),
        replacement: Buffer.from(`[redacted ${maskedHint(secret)}]`),
      }));
    this.holdBack = Math.max(0, ...this.targets.map((t) => t.secret.length - 1));
  }

  /** The bytes that can be written now. */
  push(chunk: Buffer): Buffer {
    if (this.targets.length === 0) return chunk;
    const scrubbed = this.replace(
      this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]),
    );
    const cut = Math.max(0, scrubbed.length - this.holdBack);
    this.carry = scrubbed.subarray(cut);
    return scrubbed.subarray(0, cut);
  }

  /** What was held back, at the end of the stream. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest;
  }

  private replace(data: Buffer): Buffer {
    let out = data;
    for (const { secret, replacement } of this.targets) {
      let at = out.indexOf(secret);
      if (at === -1) continue;
      const parts: Buffer[] = [];
      let from = 0;
      while (at !== -1) {
        parts.push(out.subarray(from, at), replacement);
        from = at + secret.length;
        at = out.indexOf(secret, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }
}
