/**
 * A new system identifier for a copied PostgreSQL data directory. initdb draws a database system's
 * identifier once (TDM tells databases apart by it: the metadata store, sources and targets), so a
 * copy of an initdb'd template would otherwise be the same system as every other copy. The
 * identifier is the first field of `global/pg_control` (covered by the file's CRC-32C) and is
 * repeated in the long header that starts every WAL segment, where the server checks it on start.
 */
import { randomBytes } from 'node:crypto';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as PostgreSQL computes it for pg_control. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Where pg_control keeps its CRC: the first 4-byte field that is the CRC-32C of everything before it. */
export function controlCrcOffset(control: Uint8Array): number {
  const view = Buffer.from(control.buffer, control.byteOffset, control.byteLength);
  for (let at = 8; at + 4 <= Math.min(view.length, 4096); at += 4) {
    if (view.readUInt32LE(at) === crc32c(view.subarray(0, at))) return at;
  }
  throw new Error('pg_control: no CRC-32C found (not a PostgreSQL control file?)');
}

/** The long page header of a WAL segment: magic (2 bytes), info with XLP_LONG_HEADER (0x0002), …, the system identifier at 24. */
const WAL_SYSID_AT = 24;
const XLP_LONG_HEADER = 0x0002;

/**
 * Gives the data directory whose pg_control and WAL segment heads are passed (views into the files'
 * bytes, changed in place) a fresh random system identifier. Segments that do not carry the old
 * identifier (preallocated, never written) are left alone.
 */
export function renewSystemIdentifier(control: Buffer, crcAt: number, walHeads: Buffer[]): void {
  const old = control.readBigUInt64LE(0);
  // Shaped like initdb's (seconds since 1970 in the high half), with a random low half.
  const fresh = Buffer.alloc(8);
  fresh.writeUInt32LE(randomBytes(4).readUInt32LE(0), 0);
  fresh.writeUInt32LE(Math.floor(Date.now() / 1000), 4);
  fresh.copy(control, 0);
  control.writeUInt32LE(crc32c(control.subarray(0, crcAt)), crcAt);
  for (const head of walHeads) {
    if (head.length < WAL_SYSID_AT + 8 || !(head.readUInt16LE(2) & XLP_LONG_HEADER)) continue;
    if (head.readBigUInt64LE(WAL_SYSID_AT) === old) fresh.copy(head, WAL_SYSID_AT);
  }
}
