/**
 * CopyOutStream (the COPY TO reader of PostgresSqlClient.copyOut) against a scripted connection: the
 * protocol bytes cut at every position, messages between rows, an error in the middle, the socket
 * handed back to node-postgres with what follows the COPY, and back-pressure on the socket.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CopyOutStream } from '../src/db/copy-out-stream.ts';

function message(code: string, body: Buffer | string = ''): Buffer {
  const content = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const header = Buffer.alloc(5);
  header[0] = code.charCodeAt(0);
  header.writeUInt32BE(content.length + 4, 1);
  return Buffer.concat([header, content]);
}

/** The socket and connection node-postgres would hand the query; what its own parser was given. */
class FakeConnection {
  readonly stream = Object.assign(new EventEmitter(), {
    paused: false,
    pauses: 0,
    pause() {
      this.paused = true;
      this.pauses++;
      return this;
    },
    resume() {
      this.paused = false;
      return this;
    },
  });
  readonly toPg: Buffer[] = [];
  sent: string | null = null;

  constructor() {
    this.stream.on('data', (chunk: Buffer) => this.toPg.push(Buffer.from(chunk)));
  }

  query(text: string): void {
    this.sent = text;
  }

  feed(bytes: Buffer, cuts: number[]): void {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      // A fresh buffer per chunk, as a socket gives: the reader may move bytes inside it.
      if (cut > from) this.stream.emit('data', Buffer.from(bytes.subarray(from, cut)));
      from = cut;
    }
  }
}

async function readAll(stream: CopyOutStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const rows = ['1\tann\t\\N\n', '2\tbé\t3.5\n', `3\t${'x'.repeat(300)}\t7\n`, '4\t\t\n'];
const after = Buffer.concat([message('C', 'COPY 4\0'), message('Z', 'I')]);
const protocol = Buffer.concat([
  message('H', Buffer.from([0, 0, 3, 0, 0, 0, 0, 0, 0])),
  message('d', rows[0]),
  message('N', 'SNOTICE\0Mhello\0\0'),
  message('d', rows[1]),
  message('S', 'application_name\0x\0'),
  message('d', rows[2]),
  message('d', rows[3]),
  message('c'),
  after,
]);

describe('CopyOutStream', () => {
  it('gives the CopyData contents in order and hands the rest back, however the bytes are cut', async () => {
    for (let cut = 0; cut <= protocol.length; cut++) {
      for (const second of [cut + 1, cut + 7, cut + 300]) {
        const connection = new FakeConnection();
        const stream = new CopyOutStream('COPY t TO STDOUT', 4);
        stream.submit(connection);
        expect(connection.sent).toBe('COPY t TO STDOUT');
        connection.feed(
          protocol,
          [cut, second].filter((c) => c < protocol.length),
        );
        expect((await readAll(stream)).toString('utf8')).toBe(rows.join(''));
        expect(Buffer.concat(connection.toPg).equals(after)).toBe(true);
      }
    }
  });

  it('splits a message over many chunks (a row longer than a socket read)', async () => {
    const long = `${'y'.repeat(200_000)}\n`;
    const bytes = Buffer.concat([message('d', long), message('d', rows[0]), message('c'), after]);
    const connection = new FakeConnection();
    const stream = new CopyOutStream('COPY t TO STDOUT', 4);
    stream.submit(connection);
    const cuts = [2, 3];
    for (let at = 1000; at < bytes.length; at += 65536) cuts.push(at);
    const read = readAll(stream);
    connection.feed(bytes, cuts);
    expect((await read).toString('utf8')).toBe(long + rows[0]);
    expect(Buffer.concat(connection.toPg).equals(after)).toBe(true);
  });

  it('gives node-postgres an ErrorResponse with what follows it, and fails with its error', async () => {
    const error = Buffer.concat([message('E', 'SERROR\0C57014\0Mcanceled\0\0'), message('Z', 'I')]);
    for (let cut = 0; cut < 40; cut++) {
      const connection = new FakeConnection();
      const stream = new CopyOutStream('COPY t TO STDOUT', 4, (err) => new Error(`mapped: ${err.message}`));
      stream.submit(connection);
      const bytes = Buffer.concat([message('d', rows[0]), error]);
      const read = readAll(stream);
      connection.feed(bytes, [cut]);
      expect(Buffer.concat(connection.toPg).equals(error)).toBe(true);
      stream.handleError(new Error('canceled'));
      await expect(read).rejects.toThrow('mapped: canceled');
      expect(stream.failure?.message).toBe('canceled');
    }
  });

  it('pauses the socket while the reader lags, and resumes it when the reader catches up', async () => {
    const connection = new FakeConnection();
    const stream = new CopyOutStream('COPY t TO STDOUT', 2);
    stream.submit(connection);
    const many = Array.from({ length: 50 }, (_, i) => message('d', `${i}\n`));
    for (const m of many) connection.stream.emit('data', Buffer.from(m));
    expect(connection.stream.paused).toBe(true);
    connection.stream.emit('data', Buffer.concat([message('c'), after]));
    const text = (await readAll(stream)).toString('utf8');
    expect(text).toBe(Array.from({ length: 50 }, (_, i) => `${i}\n`).join(''));
    expect(connection.stream.pauses).toBeGreaterThan(0);
    expect(connection.stream.paused).toBe(false);
  });

  it('drops the rest of the data when the reader stops early, and still hands the connection back at CopyDone', async () => {
    const connection = new FakeConnection();
    const stream = new CopyOutStream('COPY t TO STDOUT', 2);
    stream.submit(connection);
    for (let i = 0; i < 20; i++) connection.stream.emit('data', message('d', `${i}\n`));
    expect(connection.stream.paused).toBe(true);
    for await (const _chunk of stream) break; // destroys the stream
    expect(connection.stream.paused).toBe(false);
    connection.stream.emit('data', Buffer.concat([message('d', 'late\n'), message('c'), after]));
    expect(Buffer.concat(connection.toPg).equals(after)).toBe(true);
  });

  it('records the row count node-postgres reports', () => {
    const stream = new CopyOutStream('COPY t TO STDOUT', 2);
    stream.handleCommandComplete({ text: 'COPY 42' });
    expect(stream.rowCount).toBe(42);
  });
});
