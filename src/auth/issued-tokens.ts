import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../log/logger.js';
import type { GatewayTokens } from './gateway-tokens.js';
import type { IssuedTokenRecord, IssuedTokenStore } from './issued-token-store.js';
import { newToken } from './issue-token.js';

export interface IssuedTokensOptions {
  readonly store: IssuedTokenStore;
  /** The gateway's lookup; issued tokens are kept in it beside the configured ones. */
  readonly tokens: GatewayTokens;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the store is asked whether tokens changed elsewhere (and last-used written). */
  readonly pollMs?: number;
}

/** A token just issued: the one time its secret is seen. */
export interface CreatedToken {
  readonly record: IssuedTokenRecord;
  readonly token: string;
}

const DEFAULT_POLL_MS = 1000;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Issued gateway tokens in the running gateway. Issuing or revoking here changes the lookup
 * at once; what another process (`switchyard tokens`, another replica) changed is picked up
 * by polling the store's version, one cheap read a second. Last-used times are collected
 * off the request path (a set in the lookup) and written in one statement per poll.
 * A store that cannot be read leaves the tokens loaded last in force.
 */
export class IssuedTokens {
  private readonly store: IssuedTokenStore;
  private readonly tokens: GatewayTokens;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private version: number | undefined;
  /** Bumped by every change made here; a poll that read the store before one must not apply. */
  private localChanges = 0;
  private pendingUsed = new Set<string>();
  private cancelPoll: (() => void) | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(options: IssuedTokensOptions) {
    this.store = options.store;
    this.tokens = options.tokens;
    this.clock = options.clock;
    this.logger = options.logger;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Whether the issued tokens have been loaded at least once. */
  get loaded(): boolean {
    return this.version !== undefined;
  }

  /** Loads the issued tokens (never throws: a failure is logged and retried), then polls. */
  async start(): Promise<void> {
    this.polling = this.poll();
    await this.polling;
    this.polling = undefined;
    this.schedule();
  }

  async create(user: string, note: string | undefined): Promise<CreatedToken> {
    const made = newToken();
    const createdAt = this.clock.now();
    await this.store.insert({
      id: made.id,
      user,
      note,
      tokenHash: made.tokenHash,
      hint: made.hint,
      createdAt,
    });
    this.localChanges++;
    this.tokens.addIssued({ id: made.id, user, tokenHash: made.tokenHash });
    this.logger.info({ token_id: made.id, user, hint: made.hint }, 'gateway token issued');
    return {
      record: {
        id: made.id,
        user,
        note,
        hint: made.hint,
        createdAt,
        revokedAt: undefined,
        lastUsedAt: undefined,
      },
      token: made.token,
    };
  }

  list(): Promise<IssuedTokenRecord[]> {
    return this.store.list();
  }

  /** Revokes in the store, then here at once; undefined if there is no such token. */
  async revoke(id: string): Promise<IssuedTokenRecord | undefined> {
    const record = await this.store.revoke(id, this.clock.now());
    if (record === undefined) return undefined;
    this.localChanges++;
    this.tokens.removeIssued(id);
    this.logger.info({ token_id: id, user: record.user }, 'gateway token revoked');
    return record;
  }

  /** Stops polling and writes the last-used times still pending. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelPoll?.();
    await this.polling;
    try {
      await this.flushUsed();
    } catch (error) {
      this.logger.warn(
        { error: describe(error) },
        'issued gateway tokens: last-used times not written',
      );
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.cancelPoll = this.clock.schedule(this.pollMs, () => {
      this.polling = this.poll().finally(() => {
        this.polling = undefined;
        this.schedule();
      });
    });
  }

  private async poll(): Promise<void> {
    try {
      await this.refresh();
      await this.flushUsed();
      if (this.failing) {
        this.failing = false;
        this.logger.info('issued gateway tokens: the database answers again');
      }
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          { error: describe(error), loaded: this.loaded },
          this.loaded
            ? 'issued gateway tokens: cannot read the database; the tokens loaded last stay in force'
            : 'issued gateway tokens: cannot read the database; only configured tokens work until it answers',
        );
      }
    }
  }

  private async refresh(): Promise<void> {
    const changesBefore = this.localChanges;
    // The version first: a change committed while the tokens are read shows as a newer
    // version next time, so it is read again rather than missed.
    const version = await this.store.version();
    if (version === this.version) return;
    const active = await this.store.active();
    // Issued or revoked here meanwhile: what was read may predate it; read again next time.
    if (changesBefore !== this.localChanges) return;
    this.tokens.replaceIssued(active);
    if (this.version !== undefined || active.length > 0) {
      this.logger.debug({ active: active.length, version }, 'issued gateway tokens loaded');
    }
    this.version = version;
  }

  private async flushUsed(): Promise<void> {
    for (const id of this.tokens.takeUsed()) this.pendingUsed.add(id);
    if (this.pendingUsed.size === 0) return;
    const ids = [...this.pendingUsed];
    await this.store.touch(ids, this.clock.now());
    for (const id of ids) this.pendingUsed.delete(id);
  }
}
