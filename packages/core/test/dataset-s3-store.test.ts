import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatasetStore } from '../src/dataset/open.ts';
import { S3DatasetStore, s3ConfigFromUri } from '../src/dataset/s3-store.ts';
import type { TableInput, TextRow } from '../src/dataset/types.ts';
import { InvalidInputError, NotFoundError } from '../src/errors.ts';
import { batchesOf, collect, FINISH, failure } from './support/dataset.ts';
import { type FakeS3, startFakeS3 } from './support/fake-s3.ts';

// ── S3 store against an in-process fake S3 ───────────────────────────────────────────────────────

describe('S3 dataset store (over HTTP, against an in-process fake S3)', () => {
  let s3: FakeS3;
  let store: S3DatasetStore;
  const env = () => ({
    TDM_S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'test-key',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
  });
  const table: TableInput = {
    schema: 'Sales',
    name: 'order.lines',
    columns: [
      { name: 'id', pgType: 'integer', nullable: false },
      { name: 'blob', pgType: 'text', nullable: true },
      { name: 'price', pgType: 'double precision', nullable: true },
    ],
  };
  // Random hex barely compresses: about 13 MB of Parquet, so the upload takes three 5 MiB parts.
  const rows: TextRow[] = Array.from({ length: 50_000 }, (_, i) => [
    String(i),
    i % 17 ? randomBytes(128).toString('hex') : null,
    i % 5 ? String(i / 8) : 'NaN',
  ]);

  beforeAll(async () => {
    s3 = await startFakeS3();
    store = new S3DatasetStore({ ...s3ConfigFromUri('s3://tdm-bucket/team/datasets', env()), partSize: 5 * 1024 * 1024 });
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
  });

  it('opens s3:// URIs with endpoint, region and credentials from the environment', async () => {
    expect(s3ConfigFromUri('s3://tdm-bucket/team/datasets', env())).toEqual({
      bucket: 'tdm-bucket',
      prefix: 'team/datasets',
      endpoint: s3.endpoint,
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret', sessionToken: undefined },
    });
    const opened = openDatasetStore('s3://tdm-bucket/team/datasets/', env());
    expect(opened).toBeInstanceOf(S3DatasetStore);
    expect(opened.uri).toBe('s3://tdm-bucket/team/datasets');
    expect((opened as S3DatasetStore).prefix).toBe('team/datasets/');
    expect(await failure(opened.readManifest('nothing-here'))).toBeInstanceOf(NotFoundError); // a real request to the fake server
    (opened as S3DatasetStore).close();
  });

  it('streams a table up as a multipart upload and reads it back exactly', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rows, 4000));
    expect(await failure(store.readManifest(id))).toBeInstanceOf(NotFoundError); // not before finish
    await writer.finish(FINISH);

    const key = `tdm-bucket/team/datasets/${id}/${entry.file}`;
    const object = s3.objects.get(key);
    expect(object?.length).toBe(entry.bytes);
    expect(
      createHash('sha256')
        .update(object ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(entry.checksum);
    expect(s3.stats.multipartCompleted).toBeGreaterThanOrEqual(1);
    expect(s3.stats.partsUploaded).toBeGreaterThanOrEqual(3);
    expect(entry.file).toBe('%53ales.order%2Elines.parquet');

    expect(await collect(store.readTable(id, table))).toEqual(rows);
    expect((await store.readManifest(id)).tables).toEqual([entry]);
  });

  it('aborts the multipart upload when a table fails halfway, leaving no object', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const aborted = s3.stats.multipartAborted;
    const parts = s3.stats.partsUploaded;
    // The first row groups (8 Mi characters each) are uploaded before the bad row turns up.
    const err = await failure(writer.writeTable(table, batchesOf([...rows, ['not a number', null, null]], 4000)));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(s3.stats.partsUploaded).toBeGreaterThan(parts);
    expect(s3.stats.multipartAborted).toBe(aborted + 1);
    expect([...s3.objects.keys()].filter((k) => k.includes(id))).toEqual([]);
    await writer.abort();
  });

  it('fails the table (without hanging) when the server refuses the upload', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    s3.failParts = true;
    try {
      const err = await failure(writer.writeTable(table, batchesOf(rows, 4000)));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.message).toMatch(/S3 upload of .* failed/);
    } finally {
      s3.failParts = false;
    }
    expect([...s3.objects.keys()].filter((k) => k.includes(id))).toEqual([]);
    await writer.abort();
  });

  it('reads a preview page with ranged GETs, without downloading the file', async () => {
    const id = randomUUID();
    const writer = store.createWriter(id);
    const entry = await writer.writeTable(table, batchesOf(rows, 4000));
    await writer.finish(FINISH);
    const before = { ...s3.stats };
    expect(await collect(store.readTable(id, table, { offset: 30_000, limit: 25 }))).toEqual(rows.slice(30_000, 30_025));
    expect(s3.stats.rangeGets).toBeGreaterThan(before.rangeGets);
    expect(s3.stats.bytesServed - before.bytesServed).toBeLessThan(entry.bytes / 2);
  });

  it('answers a missing manifest with NotFoundError, aborts and deletes over HTTP', async () => {
    expect(await failure(store.readManifest('never-written'))).toBeInstanceOf(NotFoundError);
    expect(await failure(collect(store.readTable('never-written', table)))).toBeInstanceOf(NotFoundError);

    const aborted = randomUUID();
    const writer = store.createWriter(aborted);
    await writer.writeTable({ ...table, name: 'small' }, batchesOf(rows.slice(0, 10)));
    await writer.abort();
    expect([...s3.objects.keys()].filter((k) => k.includes(aborted))).toEqual([]);
    expect(await failure(store.readManifest(aborted))).toBeInstanceOf(NotFoundError);

    const kept = randomUUID();
    const w2 = store.createWriter(kept);
    await w2.writeTable({ ...table, name: 'small' }, batchesOf(rows.slice(0, 10)));
    await w2.finish(FINISH);
    expect(await failure(store.createWriter(kept).finish(FINISH))).toMatchObject({ code: 'CONFLICT' });
    await store.delete(kept);
    expect([...s3.objects.keys()].filter((k) => k.includes(kept))).toEqual([]);
    expect(await failure(store.readManifest(kept))).toBeInstanceOf(NotFoundError);
  });
});
