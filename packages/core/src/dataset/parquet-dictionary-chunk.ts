/**
 * A STRING column chunk whose every data page indexes its dictionary (what hyparquet-writer writes
 * for a column with few distinct values) can be rewritten value by value by rewriting the dictionary
 * alone: the data pages hold only definition levels and dictionary indexes, which stay valid when
 * entry i is replaced by its new text. Masking a first-name column this way costs one transform
 * per distinct name instead of a decode, a transform lookup and an encode per row.
 */
import { parquetHeader } from 'hyparquet/src/column.js';
import { uncompressor } from './parquet.ts';

/** A dictionary-encoded chunk, taken apart. */
export interface DictionaryChunk {
  /** The dictionary's entries as text. */
  values: string[];
  /** Where the data pages start in the chunk's bytes (the end of the dictionary page). */
  pagesAt: number;
  /** The dictionary page's header and uncompressed body size (its share of the chunk's uncompressed size). */
  dictionarySize: number;
}

/**
 * Reads the dictionary of a STRING chunk whose data pages all use it, or null for any other layout
 * (no dictionary, a page of PLAIN values, another page type or codec).
 */
export function readDictionaryChunk(bytes: Uint8Array, codec: string): DictionaryChunk | null {
  if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') return null;
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const header = parquetHeader(reader);
  const dictionary = header.dictionary_page_header;
  if (header.type !== 'DICTIONARY_PAGE' || !dictionary || (dictionary.encoding !== 'PLAIN' && dictionary.encoding !== 'PLAIN_DICTIONARY')) return null;
  const headerSize = reader.offset;
  const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
  reader.offset += header.compressed_page_size;
  const pagesAt = reader.offset;
  while (reader.offset < bytes.length) {
    const page = parquetHeader(reader);
    const encoding = page.data_page_header_v2?.encoding ?? page.data_page_header?.encoding;
    if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') return null;
    reader.offset += page.compressed_page_size;
  }
  const plain = codec === 'SNAPPY' ? uncompressor()(body, header.uncompressed_page_size) : body;
  const values = plainStrings(plain, dictionary.num_values);
  return values && { values, pagesAt, dictionarySize: headerSize + header.uncompressed_page_size };
}

/** `count` PLAIN BYTE_ARRAY values (4-byte little-endian length, then the bytes) as UTF-8 text; null when the page is short. */
function plainStrings(page: Uint8Array, count: number): string[] | null {
  const buffer = Buffer.from(page.buffer, page.byteOffset, page.byteLength);
  const values: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > buffer.length) return null;
    const length = buffer.readUInt32LE(at);
    at += 4;
    if (at + length > buffer.length) return null;
    values.push(buffer.toString('utf8', at, at + length));
    at += length;
  }
  return values;
}
