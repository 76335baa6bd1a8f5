/**
 * `COPY … TO STDOUT` on a node-postgres connection as a Readable of the data (the contents of the
 * CopyData messages, in order): the query takes the connection's socket over from node-postgres'
 * parser for the length of the COPY, as pg-copy-streams does, and gives it back at CopyDone or at an
 * ErrorResponse with the bytes that follow.
 *
 * The backend sends one CopyData message per row, so a million rows are a million messages. Each
 * socket chunk is unframed in place: the messages' 5-byte headers are skipped and their contents
 * moved together inside the chunk, which is then pushed as it is — no buffer per message, no copy of
 * the chunk (only a message cut by the chunk's end is put together in a buffer of its own). The
 * stream is in object mode so a reader gets the chunks one at a time, not concatenated; at most
 * `highWaterMark` chunks wait before the socket is paused (the backend then blocks in its send).
 */
import { Readable } from 'node:stream';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'
const HEADER = 5;

/** The part of node-postgres' connection a submitted query sees. */
interface PgConnection {
  stream: NodeJS.EventEmitter & { pause(): unknown; resume(): unknown };
  query(text: string): void;
}

type DataHandler = (chunk: Buffer) => void;

export class CopyOutStream extends Readable {
  readonly text: string;
  /** Rows the backend reported (`COPY n`), once the COPY is complete. */
  rowCount = 0;
  #connection: PgConnection | null = null;
  #pgHandler: DataHandler | null = null;
  /** A message cut by the end of a chunk: its pieces so far and its full length (header included; 0 until known). */
  #pieces: Buffer[] = [];
  #have = 0;
  #need = 0;
  #attached = false;
  readonly #mapError: (err: Error) => Error;
  readonly #onData: DataHandler = (chunk) => this.#take(chunk);

  /** The error node-postgres reported (a failing statement, a lost connection), as it came. */
  failure: Error | null = null;

  /**
   * `highWaterMark`: socket chunks (of up to 64 KiB) buffered ahead of the reader; `mapError`: the
   * error the reader gets for one node-postgres reports.
   */
  constructor(text: string, highWaterMark: number, mapError: (err: Error) => Error = (err) => err) {
    super({ objectMode: true, highWaterMark });
    this.text = text;
    this.#mapError = mapError;
  }

  /** Called by node-postgres when the query's turn comes on the connection. */
  submit(connection: PgConnection): void {
    this.#connection = connection;
    const socket = connection.stream;
    const listeners = socket.listeners('data') as unknown as DataHandler[];
    if (listeners.length !== 1) throw new Error(`a COPY TO needs the connection's one data listener, found ${listeners.length}`);
    this.#pgHandler = listeners[0] as DataHandler;
    socket.removeListener('data', this.#pgHandler);
    socket.on('data', this.#onData);
    this.#attached = true;
    connection.query(this.text);
  }

  override _read(): void {
    if (this.#attached) this.#connection?.stream.resume();
  }

  /**
   * A reader that stops before the end leaves the backend sending: the rest of the data is read and
   * dropped, so the connection comes back to node-postgres at CopyDone and the next statement on it
   * (a ROLLBACK after a cancelled read) is answered.
   */
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.#attached) this.#connection?.stream.resume();
    callback(err);
  }

  /** node-postgres: an ErrorResponse (after the socket went back) or a lost connection. */
  handleError(err: Error): void {
    this.failure ??= err;
    this.destroy(this.#mapError(err));
  }

  /** node-postgres: `COPY n` once the data is complete. */
  handleCommandComplete(msg: { text?: string }): void {
    const match = /COPY (\d+)/.exec(msg?.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleReadyForQuery(): void {}

  /** One socket chunk: the message cut before it (completed), its own whole messages, the start of the next. */
  #take(chunk: Buffer): void {
    let buf = chunk;
    let at = 0;
    if (this.#have) {
      const missing = this.#missing(chunk);
      if (missing < 0) return;
      const message = Buffer.concat([...this.#pieces, chunk.subarray(0, missing)]);
      this.#pieces = [];
      this.#have = 0;
      this.#need = 0;
      if (message[0] === COPY_DATA) {
        // A row of its own: pushed alone, the chunk goes on after it.
        this.#messages(message, 0);
        at = missing;
      } else {
        // Anything else (it may end the COPY) is read together with the rest of the chunk.
        buf = Buffer.concat([message, chunk.subarray(missing)]);
      }
    }
    const end = this.#messages(buf, at);
    if (end >= 0 && end < buf.length) this.#keep(buf.subarray(end));
  }

  /**
   * The bytes of `chunk` that complete the message cut before it, or -1 (kept) while it needs more
   * chunks than this one.
   */
  #missing(chunk: Buffer): number {
    if (!this.#need) {
      const header = Buffer.concat([...this.#pieces, chunk.subarray(0, HEADER - this.#have)]);
      if (header.length < HEADER) {
        this.#pieces = [header];
        this.#have = header.length;
        return -1;
      }
      this.#need = 1 + header.readUInt32BE(1);
    }
    const missing = this.#need - this.#have;
    if (chunk.length >= missing) return missing;
    this.#pieces.push(chunk);
    this.#have += chunk.length;
    return -1;
  }

  /** A message cut by the end of its chunk, copied (the socket may reuse its memory). */
  #keep(tail: Buffer): void {
    this.#pieces = [Buffer.from(tail)];
    this.#have = tail.length;
    this.#need = tail.length >= HEADER ? 1 + tail.readUInt32BE(1) : 0;
  }

  /**
   * The whole messages of `buf` from `from`: CopyData contents moved together in place and pushed;
   * returns where the first incomplete message starts, or -1 once the socket went back to
   * node-postgres (CopyDone or ErrorResponse).
   */
  #messages(buf: Buffer, from: number): number {
    let p = from;
    let out = from;
    const size = buf.length;
    while (p + HEADER <= size) {
      const code = buf[p] as number;
      const next = p + 1 + buf.readUInt32BE(p + 1);
      if (code === COPY_DATA) {
        if (next > size) break;
        buf.copyWithin(out, p + HEADER, next);
        out += next - p - HEADER;
        p = next;
      } else if (code === COPY_DONE || code === ERROR_RESPONSE) {
        this.#flush(buf, from, out);
        this.#detach(buf.subarray(code === COPY_DONE ? Math.min(next, size) : p), code === COPY_DONE);
        return -1;
      } else {
        // CopyOutResponse first; ParameterStatus, NoticeResponse, NotificationResponse may come between rows.
        if (next > size) break;
        p = next;
      }
    }
    this.#flush(buf, from, out);
    return p;
  }

  #flush(buf: Buffer, from: number, to: number): void {
    if (to > from && !this.destroyed && !this.push(buf.subarray(from, to))) this.#connection?.stream.pause();
  }

  /** Gives the socket back to node-postgres with the bytes after the COPY data; ends the stream at CopyDone. */
  #detach(rest: Buffer, done: boolean): void {
    const connection = this.#connection as PgConnection;
    const handler = this.#pgHandler as DataHandler;
    this.#attached = false;
    this.#pieces = [];
    this.#have = 0;
    this.#need = 0;
    connection.stream.removeListener('data', this.#onData);
    connection.stream.on('data', handler);
    if (done && !this.destroyed) this.push(null);
    if (rest.length) handler(rest);
    connection.stream.resume();
  }
}
