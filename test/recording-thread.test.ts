import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Interception } from '../src/recorder/interception.js';
import { RejectedRecordsError } from '../src/recorder/record-store.js';
import { describeDatabaseError } from '../src/recorder/sql/database-errors.js';
import { InterceptionStore } from '../src/recorder/sql/interception-store.js';
import { openDatabase } from '../src/recorder/sql/open-database.js';
import { WorkerRecordStore } from '../src/recorder/worker-record-store.js';
import { bareInterception, sampleInterception } from './support/sample-interception.js';

describe('SQLite writes on the recording thread', () => {
  let dir: string;
  let path: string;
  const stores: WorkerRecordStore[] = [];
  const store = (options: Partial<ConstructorParameters<typeof WorkerRecordStore>[0]> = {}) => {
    const created = new WorkerRecordStore({ path, ...options });
    stores.push(created);
    return created;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-thread-'));
    path = join(dir, 'recording.db');
  });

  afterEach(async () => {
    for (const created of stores.splice(0)) await created.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function stored(id: string): Promise<Interception | undefined> {
    const db = await openDatabase({ engine: 'sqlite', path });
    try {
      return await new InterceptionStore(db).get(id);
    } finally {
      await db.close();
    }
  }

  it('writes what the main thread hands over, read back equal, once however often sent', async () => {
    const full = sampleInterception();
    const bare = bareInterception();
    const writer = store();
    await writer.write([full, bare]);
    await writer.write([full]);
    expect(await stored(full.id)).toEqual(full);
    expect(await stored(bare.id)).toEqual(bare);
    const db = await openDatabase({ engine: 'sqlite', path });
    expect(await new InterceptionStore(db).count()).toBe(2);
    await db.close();
  });

  it('runs prepare (the main connection migrating) once, before the thread opens the file', async () => {
    const order: string[] = [];
    const writer = store({
      prepare: async () => {
        order.push('prepare');
        const db = await openDatabase({ engine: 'sqlite', path });
        await db.close();
      },
    });
    await writer.connect();
    await writer.write([bareInterception()]);
    await writer.write([bareInterception()]);
    expect(order).toEqual(['prepare']);
  });

  it('says the database refused records it cannot store, as a RejectedRecordsError', async () => {
    const writer = store();
    const unstorable = {
      ...bareInterception(),
      status: { no: 'number' },
    } as unknown as Interception;
    const error: unknown = await writer.write([unstorable]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedRecordsError);
    // The thread and its connection go on.
    const fine = bareInterception();
    await writer.write([fine]);
    expect(await stored(fine.id)).toEqual(fine);
  });

  it('reports a database it cannot open with the driver’s code, and tries again next time', async () => {
    // A file where the database's folder should be.
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, '');
    path = join(blocker, 'recording.db');
    const writer = store();
    const error: unknown = await writer.connect().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RejectedRecordsError);
    expect(describeDatabaseError(error)).toMatch(/^EEXIST: .*not-a-folder/);
    await rm(blocker);
    await writer.connect();
    const one = bareInterception();
    await writer.write([one]);
    expect(await stored(one.id)).toEqual(one);
  });

  it('refuses work once closed', async () => {
    const writer = store();
    await writer.write([bareInterception()]);
    await writer.close();
    await expect(writer.write([bareInterception()])).rejects.toThrow(/closed/);
  });
});
