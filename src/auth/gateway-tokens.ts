import { hash, timingSafeEqual } from 'node:crypto';

export interface TokenEntry {
  readonly user: string;
  readonly token: string;
}

function digest(token: string): Buffer {
  // The one-shot form: no Hash object per request.
  return hash('sha256', token, 'buffer');
}

/**
 * Gateway tokens, kept only as SHA-256 digests. A lookup hashes the presented token and
 * compares digests in constant time, so neither the stored tokens nor response timing
 * give a token away.
 */
export class GatewayTokens {
  private readonly byDigest = new Map<string, { digest: Buffer; user: string }>();

  constructor(entries: readonly TokenEntry[]) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: TokenEntry): void {
    const d = digest(entry.token);
    this.byDigest.set(d.toString('hex'), { digest: d, user: entry.user });
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** The user a token belongs to, or undefined. */
  identify(token: string): string | undefined {
    const presented = digest(token);
    const found = this.byDigest.get(presented.toString('hex'));
    if (found === undefined || !timingSafeEqual(found.digest, presented)) return undefined;
    return found.user;
  }
}
