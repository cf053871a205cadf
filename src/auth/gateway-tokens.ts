import { hash, timingSafeEqual } from 'node:crypto';

export interface TokenEntry {
  readonly user: string;
  readonly token: string;
}

/** A token issued with `tokens create` or the admin API, as the database keeps it. */
export interface IssuedTokenEntry {
  readonly id: string;
  readonly user: string;
  /** SHA-256 of the token, hex: the digest `tokenDigest` makes. */
  readonly tokenHash: string;
}

interface Entry {
  readonly digest: Buffer;
  readonly user: string;
  /** Set for issued tokens; undefined for the configuration's. */
  readonly issuedId: string | undefined;
}

/** The one digest scheme for gateway tokens: SHA-256, the one-shot form (no Hash object per request). */
export function tokenDigest(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Gateway tokens, kept only as SHA-256 digests: those of the configuration and those issued
 * into the database. A lookup hashes the presented token and compares digests in constant
 * time, so neither the stored tokens nor response timing give a token away.
 */
export class GatewayTokens {
  private readonly byDigest = new Map<string, Entry>();
  /** Issued tokens that authenticated a request since the last `takeUsed`. */
  private used = new Set<string>();

  constructor(entries: readonly TokenEntry[]) {
    for (const entry of entries) this.add(entry);
  }

  add(entry: TokenEntry): void {
    const d = tokenDigest(entry.token);
    this.byDigest.set(d.toString('hex'), { digest: d, user: entry.user, issuedId: undefined });
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** The user a token belongs to, or undefined. */
  identify(token: string): string | undefined {
    const presented = tokenDigest(token);
    const found = this.byDigest.get(presented.toString('hex'));
    if (found === undefined || !timingSafeEqual(found.digest, presented)) return undefined;
    if (found.issuedId !== undefined) this.used.add(found.issuedId);
    return found.user;
  }

  /**
   * Makes the configured tokens exactly `entries` (a reload): those not in it stop
   * authenticating at once; issued tokens are untouched.
   */
  replaceConfigured(entries: readonly TokenEntry[]): void {
    const keep = new Set<string>();
    for (const entry of entries) {
      const d = tokenDigest(entry.token);
      const hex = d.toString('hex');
      keep.add(hex);
      this.byDigest.set(hex, { digest: d, user: entry.user, issuedId: undefined });
    }
    for (const [hex, entry] of this.byDigest) {
      if (entry.issuedId === undefined && !keep.has(hex)) this.byDigest.delete(hex);
    }
  }

  /**
   * Makes the issued tokens exactly `entries`: those not in it stop authenticating at once.
   * A configured token keeps its place even if an issued one had the same digest.
   */
  replaceIssued(entries: readonly IssuedTokenEntry[]): void {
    const keep = new Set<string>();
    for (const entry of entries) {
      if (this.addIssued(entry)) keep.add(entry.tokenHash);
    }
    for (const [hex, entry] of this.byDigest) {
      if (entry.issuedId !== undefined && !keep.has(hex)) this.byDigest.delete(hex);
    }
  }

  /** Adds one issued token; false if its digest is malformed or a configured token's. */
  addIssued(entry: IssuedTokenEntry): boolean {
    if (!SHA256_HEX.test(entry.tokenHash)) return false;
    const existing = this.byDigest.get(entry.tokenHash);
    if (existing !== undefined && existing.issuedId === undefined) return false;
    this.byDigest.set(entry.tokenHash, {
      digest: Buffer.from(entry.tokenHash, 'hex'),
      user: entry.user,
      issuedId: entry.id,
    });
    return true;
  }

  /** Stops an issued token from authenticating, at once. */
  removeIssued(id: string): void {
    for (const [hex, entry] of this.byDigest) {
      if (entry.issuedId === id) this.byDigest.delete(hex);
    }
  }

  /** The ids of issued tokens used since the last call (for their last-used time). */
  takeUsed(): string[] {
    if (this.used.size === 0) return [];
    const ids = [...this.used];
    this.used = new Set();
    return ids;
  }
}
