import type { IssuedTokenStore } from '../../auth/issued-token-store.js';
import type { DatabaseTarget } from '../../config/database-target.js';
import type { Interception } from '../interception.js';
import { RejectedRecordsError, type RecordStore } from '../record-store.js';
import { describeDatabaseError, isDataError } from './database-errors.js';
import { GatewayTokenStore } from './gateway-token-store.js';
import { InterceptionStore } from './interception-store.js';
import { openDatabase, type OpenOptions, type RecordingDatabase } from './open-database.js';

interface Connection {
  readonly database: RecordingDatabase;
  readonly store: InterceptionStore;
  readonly tokens: GatewayTokenStore;
}

/**
 * The recording database, opened (and migrated) on first use rather than at startup, so a
 * database that is down when the gateway starts delays nothing. After an operation fails
 * for any reason but the data, the connection is dropped and the next one opens it afresh:
 * a PostgreSQL pool that saw its server go away, a SQLite file replaced or made writable
 * again.
 */
export class SqlRecordStore implements RecordStore {
  private connection: Promise<Connection> | undefined;
  private closed = false;
  /** The issued gateway tokens, over this store's connection. */
  readonly tokens: IssuedTokenStore = {
    insert: (token) => this.useTokens((t) => t.insert(token)),
    list: () => this.useTokens((t) => t.list()),
    revoke: (id, at) => this.useTokens((t) => t.revoke(id, at)),
    version: () => this.useTokens((t) => t.version()),
    active: () => this.useTokens((t) => t.active()),
    touch: (ids, at) => this.useTokens((t) => t.touch(ids, at)),
  };

  constructor(
    private readonly target: Exclude<DatabaseTarget, { engine: 'off' }>,
    private readonly options: OpenOptions = {},
  ) {}

  get engine(): 'sqlite' | 'postgres' {
    return this.target.engine;
  }

  /** Runs `operation` on the open database, reconnecting next time if it fails. */
  use<T>(operation: (store: InterceptionStore) => Promise<T>): Promise<T> {
    return this.run((connection) => operation(connection.store));
  }

  /** The same for the issued gateway tokens, on the same connection. */
  useTokens<T>(operation: (tokens: GatewayTokenStore) => Promise<T>): Promise<T> {
    return this.run((connection) => operation(connection.tokens));
  }

  private async run<T>(operation: (connection: Connection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the recording database is closed');
    const connection = (this.connection ??= this.open());
    try {
      return await operation(await connection);
    } catch (error) {
      if (!isDataError(error)) await this.reset(connection);
      throw error;
    }
  }

  async write(batch: readonly Interception[]): Promise<void> {
    try {
      await this.use((store) => store.insert(batch));
    } catch (error) {
      if (isDataError(error)) throw new RejectedRecordsError(describeDatabaseError(error));
      throw error;
    }
  }

  connect(): Promise<void> {
    return this.use(() => Promise.resolve());
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined) await closeQuietly(connection);
  }

  private async open(): Promise<Connection> {
    const database = await openDatabase(this.target, this.options);
    return {
      database,
      store: new InterceptionStore(database),
      tokens: new GatewayTokenStore(database.db),
    };
  }

  /** Only the connection that failed: another caller may already have opened a new one. */
  private async reset(failed: Promise<Connection>): Promise<void> {
    if (this.connection !== failed) return;
    this.connection = undefined;
    await closeQuietly(failed);
  }
}

async function closeQuietly(connection: Promise<Connection>): Promise<void> {
  try {
    await (await connection).database.close();
  } catch {
    // It failed to open, or closing a broken connection failed: nothing is left to release.
  }
}
