import { randomFillSync } from 'node:crypto';

const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Interceptions made
 * close in time get ids that sort close together, so the record's primary key and its child
 * tables' keys grow at their end. With random (v4) ids every row landed on a B-tree page of
 * its own, and each SQLite commit wrote one page per row: four to eight times the CPU per
 * interception recorded.
 */
export function timeOrderedId(epochMs: number): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + 16);
  offset += 16;
  bytes.writeUIntBE(Math.max(0, Math.floor(epochMs)) % 2 ** 48, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  // One string built from a byte table: toString('hex') and five slices cost more per request.
  let id = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-';
    id += HEX[bytes[i] ?? 0] ?? '';
  }
  return id;
}
