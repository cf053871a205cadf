import type { IssuedTokenEntry } from './gateway-tokens.js';

/** An issued gateway token as operators see it: never the token, never its hash. */
export interface IssuedTokenRecord {
  readonly id: string;
  readonly user: string;
  readonly note: string | undefined;
  /** Masked hint of the token; undefined for tokens stored before hints were kept. */
  readonly hint: string | undefined;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly revokedAt: number | undefined;
  readonly lastUsedAt: number | undefined;
}

/** What is stored of a new token. */
export interface IssuedTokenInsert {
  readonly id: string;
  readonly user: string;
  readonly note: string | undefined;
  readonly tokenHash: string;
  readonly hint: string;
  readonly createdAt: number;
}

/** Where issued tokens live (the recording database): the port `tokens` and the gateway use. */
export interface IssuedTokenStore {
  insert(token: IssuedTokenInsert): Promise<void>;
  /** Every issued token, revoked ones too, newest first. */
  list(): Promise<IssuedTokenRecord[]>;
  /**
   * Revokes a token (a revoked one keeps its first revocation time); undefined if there is no
   * such token.
   */
  revoke(id: string, at: number): Promise<IssuedTokenRecord | undefined>;
  /** Goes up whenever a token is issued or revoked, by any process. */
  version(): Promise<number>;
  /** The tokens not revoked, as the gateway's lookup needs them. */
  active(): Promise<IssuedTokenEntry[]>;
  /** Records that these tokens authenticated requests, at `at`. */
  touch(ids: readonly string[], at: number): Promise<void>;
}
