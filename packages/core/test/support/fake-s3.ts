/**
 * Just enough of S3 (path style) in process for the S3 dataset store's tests: objects, ranged GET,
 * HEAD, DELETE, ListObjectsV2 and multipart upload, with counters and an injectable part failure.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeS3 {
  endpoint: string;
  objects: Map<string, Buffer>;
  stats: { multipartCompleted: number; partsUploaded: number; multipartAborted: number; rangeGets: number; bytesServed: number };
  /** While true, every UploadPart answers 500. */
  failParts: boolean;
  close(): Promise<void>;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Just enough of S3 (path style) for the SDK: objects, ranged GET, HEAD, DELETE, ListObjectsV2 and multipart upload. */
export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, Map<number, Buffer>>();
  const stats = { multipartCompleted: 0, partsUploaded: 0, multipartAborted: 0, rangeGets: 0, bytesServed: 0 };
  const etag = (b: Buffer) => `"${createHash('md5').update(b).digest('hex')}"`;
  const fake = { failParts: false };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const id = `${bucket}/${key}`;
    const q = url.searchParams;
    const data = await body(req);
    const xml = (status: number, content: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${content}`);
    };
    if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) return xml(400, '<Error><Code>NotImplemented</Code></Error>');
    if (req.method === 'PUT' && q.has('uploadId')) {
      if (fake.failParts) return xml(500, '<Error><Code>InternalError</Code><Message>injected failure</Message></Error>');
      const parts = uploads.get(q.get('uploadId') ?? '');
      if (!parts) return xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
      parts.set(Number(q.get('partNumber')), data);
      stats.partsUploaded++;
      res.writeHead(200, { etag: etag(data) });
      return res.end();
    }
    if (req.method === 'PUT') {
      objects.set(id, data);
      res.writeHead(200, { etag: etag(data) });
      return res.end();
    }
    if (req.method === 'POST' && q.has('uploads')) {
      const uploadId = randomUUID();
      uploads.set(uploadId, new Map());
      return xml(
        200,
        `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    if (req.method === 'POST' && q.has('uploadId')) {
      const parts = uploads.get(q.get('uploadId') ?? '');
      if (!parts) return xml(404, '<Error><Code>NoSuchUpload</Code></Error>');
      const numbers = [...data.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      const whole = Buffer.concat(numbers.map((n) => parts.get(n) ?? Buffer.alloc(0)));
      objects.set(id, whole);
      uploads.delete(q.get('uploadId') ?? '');
      stats.multipartCompleted++;
      return xml(
        200,
        `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${escapeXml(key)}</Key><ETag>${etag(whole)}</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (req.method === 'DELETE') {
      if (q.has('uploadId')) {
        uploads.delete(q.get('uploadId') ?? '');
        stats.multipartAborted++;
      } else {
        objects.delete(id);
      }
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'GET' && q.get('list-type') === '2') {
      const prefix = q.get('prefix') ?? '';
      const keys = [...objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1))
        .sort();
      const contents = keys.map((k) => `<Contents><Key>${escapeXml(k)}</Key><Size>${objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`).join('');
      return xml(
        200,
        `<ListBucketResult><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
      );
    }
    const object = objects.get(id);
    if (req.method === 'HEAD') {
      res.writeHead(object ? 200 : 404, object ? { 'content-length': object.length, etag: etag(object) } : {});
      return res.end();
    }
    if (req.method === 'GET') {
      if (!object) return xml(404, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(key)}</Key></Error>`);
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range) {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : object.length - 1, object.length - 1);
        const slice = object.subarray(start, end + 1);
        stats.rangeGets++;
        stats.bytesServed += slice.length;
        res.writeHead(206, { 'content-length': slice.length, 'content-range': `bytes ${start}-${end}/${object.length}`, etag: etag(object) });
        return res.end(slice);
      }
      stats.bytesServed += object.length;
      res.writeHead(200, { 'content-length': object.length, etag: etag(object) });
      return res.end(object);
    }
    xml(405, '<Error><Code>MethodNotAllowed</Code></Error>');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    stats,
    get failParts() {
      return fake.failParts;
    },
    set failParts(value: boolean) {
      fake.failParts = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
