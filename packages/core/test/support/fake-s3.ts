/**
 * Just enough of S3 (path style) in process for the S3 dataset store's tests: objects, ranged GET,
 * HEAD, DELETE, ListObjectsV2 and multipart upload, with counters and an injectable part failure.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3 {
  endpoint: string;
  objects: Map<string, Buffer>;
  stats: { multipartCompleted: number; partsUploaded: number; multipartAborted: number; rangeGets: number; bytesServed: number };
  /** While true, every UploadPart answers 500. */
  failParts: boolean;
  close(): Promise<void>;
}

/** What the fake server holds: objects by `bucket/key`, multipart uploads in progress by id, counters. */
interface FakeS3State {
  objects: Map<string, Buffer>;
  uploads: Map<string, Map<number, Buffer>>;
  stats: FakeS3['stats'];
  failParts: boolean;
}

/** One request: the object it names, its query and body, and how to answer it with XML. */
interface S3Call {
  req: IncomingMessage;
  res: ServerResponse;
  bucket: string;
  key: string;
  /** `bucket/key`, the object's key in `FakeS3State.objects`. */
  id: string;
  q: URLSearchParams;
  data: Buffer;
  xml(status: number, content: string): void;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Just enough of S3 (path style) for the SDK: objects, ranged GET, HEAD, DELETE, ListObjectsV2 and multipart upload. */
export async function startFakeS3(): Promise<FakeS3> {
  const state: FakeS3State = {
    objects: new Map(),
    uploads: new Map(),
    stats: { multipartCompleted: 0, partsUploaded: 0, multipartAborted: 0, rangeGets: 0, bytesServed: 0 },
    failParts: false,
  };
  const server: Server = createServer(async (req, res) => answer(state, await s3Call(req, res)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects: state.objects,
    stats: state.stats,
    get failParts() {
      return state.failParts;
    },
    set failParts(value: boolean) {
      state.failParts = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function s3Call(req: IncomingMessage, res: ServerResponse): Promise<S3Call> {
  const url = new URL(req.url ?? '/', 'http://s3.local');
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const xml = (status: number, content: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${content}`);
  };
  return { req, res, bucket, key, id: `${bucket}/${key}`, q: url.searchParams, data: await body(req), xml };
}

/** Answers one request as S3 would, by method and query. */
function answer(state: FakeS3State, call: S3Call): void {
  const { req, q, xml } = call;
  if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) xml(400, '<Error><Code>NotImplemented</Code></Error>');
  else if (req.method === 'PUT' && q.has('uploadId')) uploadPart(state, call);
  else if (req.method === 'PUT') putObject(state, call);
  else if (req.method === 'POST' && q.has('uploads')) initiateUpload(state, call);
  else if (req.method === 'POST' && q.has('uploadId')) completeUpload(state, call);
  else if (req.method === 'DELETE') deleteObjectOrUpload(state, call);
  else if (req.method === 'GET' && q.get('list-type') === '2') listObjects(state, call);
  else if (req.method === 'HEAD') headObject(state, call);
  else if (req.method === 'GET') getObject(state, call);
  else xml(405, '<Error><Code>MethodNotAllowed</Code></Error>');
}

function uploadPart(state: FakeS3State, { res, q, data, xml }: S3Call): void {
  if (state.failParts) {
    xml(500, '<Error><Code>InternalError</Code><Message>injected failure</Message></Error>');
    return;
  }
  const parts = state.uploads.get(q.get('uploadId') ?? '');
  if (!parts) {
    xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
    return;
  }
  parts.set(Number(q.get('partNumber')), data);
  state.stats.partsUploaded++;
  res.writeHead(200, { etag: etag(data) });
  res.end();
}

function putObject(state: FakeS3State, { res, id, data }: S3Call): void {
  state.objects.set(id, data);
  res.writeHead(200, { etag: etag(data) });
  res.end();
}

function initiateUpload(state: FakeS3State, { bucket, key, xml }: S3Call): void {
  const uploadId = randomUUID();
  state.uploads.set(uploadId, new Map());
  xml(
    200,
    `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
  );
}

/** CompleteMultipartUpload: the object is the listed parts, in the order listed. */
function completeUpload(state: FakeS3State, { bucket, key, id, q, data, xml }: S3Call): void {
  const parts = state.uploads.get(q.get('uploadId') ?? '');
  if (!parts) {
    xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
    return;
  }
  const numbers = [...data.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
  const whole = Buffer.concat(numbers.map((n) => parts.get(n) ?? Buffer.alloc(0)));
  state.objects.set(id, whole);
  state.uploads.delete(q.get('uploadId') ?? '');
  state.stats.multipartCompleted++;
  xml(200, `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${etag(whole)}</ETag></CompleteMultipartUploadResult>`);
}

/** AbortMultipartUpload with an upload id, DeleteObject without. */
function deleteObjectOrUpload(state: FakeS3State, { res, id, q }: S3Call): void {
  if (q.has('uploadId')) {
    state.uploads.delete(q.get('uploadId') ?? '');
    state.stats.multipartAborted++;
  } else {
    state.objects.delete(id);
  }
  res.writeHead(204);
  res.end();
}

/** ListObjectsV2 of a prefix, in one page. */
function listObjects(state: FakeS3State, { bucket, q, xml }: S3Call): void {
  const prefix = q.get('prefix') ?? '';
  const keys = [...state.objects.keys()]
    .filter((k) => k.startsWith(`${bucket}/${prefix}`))
    .map((k) => k.slice(bucket.length + 1))
    .sort();
  const contents = keys.map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${state.objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`).join('');
  xml(
    200,
    `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
  );
}

function headObject(state: FakeS3State, { res, id }: S3Call): void {
  const object = state.objects.get(id);
  res.writeHead(object ? 200 : 404, object ? { 'content-length': object.length, etag: etag(object) } : {});
  res.end();
}

/** GetObject, whole or a `bytes=start-[end]` range, counted in the stats. */
function getObject(state: FakeS3State, { req, res, key, id, xml }: S3Call): void {
  const object = state.objects.get(id);
  if (!object) {
    xml(404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`);
    return;
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : object.length - 1, object.length - 1);
    const slice = object.subarray(start, end + 1);
    state.stats.rangeGets++;
    state.stats.bytesServed += slice.length;
    res.writeHead(206, { 'content-length': slice.length, 'content-range': `bytes ${start}-${end}/${object.length}`, etag: etag(object) });
    res.end(slice);
    return;
  }
  state.stats.bytesServed += object.length;
  res.writeHead(200, { 'content-length': object.length, etag: etag(object) });
  res.end(object);
}
