import type { Kysely, Transaction } from 'kysely';
import type { IssuedTokenEntry } from '../../auth/gateway-tokens.js';
import type {
  IssuedTokenInsert,
  IssuedTokenRecord,
  IssuedTokenStore,
} from '../../auth/issued-token-store.js';
import type { GatewayTokensTable, RecordingTables } from './tables.js';

function recordOf(row: GatewayTokensTable): IssuedTokenRecord {
  return {
    id: row.id,
    user: row.user_name,
    note: row.note ?? undefined,
    hint: row.hint ?? undefined,
    createdAt: row.created_at,
    revokedAt: row.revoked_at ?? undefined,
    lastUsedAt: row.last_used_at ?? undefined,
  };
}

async function bumpVersion(trx: Transaction<RecordingTables>): Promise<void> {
  await trx
    .updateTable('gateway_token_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

/**
 * Issued gateway tokens in the recording database, written once for SQLite and PostgreSQL.
 * Only a token's SHA-256 and masked hint are stored. Issuing and revoking bump the version
 * row in the same transaction, so a gateway that polls the version never misses a change.
 */
export class GatewayTokenStore implements IssuedTokenStore {
  constructor(private readonly db: Kysely<RecordingTables>) {}

  async insert(token: IssuedTokenInsert): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('gateway_tokens')
        .values({
          id: token.id,
          user_name: token.user,
          note: token.note ?? null,
          token_hash: token.tokenHash,
          hint: token.hint,
          created_at: token.createdAt,
          revoked_at: null,
          last_used_at: null,
        })
        .execute();
      await bumpVersion(trx);
    });
  }

  async list(): Promise<IssuedTokenRecord[]> {
    const rows = await this.db
      .selectFrom('gateway_tokens')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(recordOf);
  }

  async revoke(id: string, at: number): Promise<IssuedTokenRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('gateway_tokens')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows > 0n) await bumpVersion(trx);
      const row = await trx
        .selectFrom('gateway_tokens')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : recordOf(row);
    });
  }

  async version(): Promise<number> {
    const row = await this.db
      .selectFrom('gateway_token_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirst();
    return row?.version ?? 0;
  }

  async active(): Promise<IssuedTokenEntry[]> {
    const rows = await this.db
      .selectFrom('gateway_tokens')
      .select(['id', 'user_name', 'token_hash'])
      .where('revoked_at', 'is', null)
      .execute();
    return rows.map((row) => ({ id: row.id, user: row.user_name, tokenHash: row.token_hash }));
  }

  async touch(ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    // Never backwards: another replica may have recorded a later use already.
    await this.db
      .updateTable('gateway_tokens')
      .set({ last_used_at: at })
      .where('id', 'in', [...ids])
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute();
  }
}
