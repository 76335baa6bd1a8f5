/**
 * LISTEN/NOTIFY for `PostgresSqlClient`: one dedicated connection per client that listens for every
 * channel and comes back by itself after a drop.
 */
import pg from 'pg';
import { QueryError } from '../errors.ts';
import { type ConnectionContext, connectionError, messageOf, queryError } from './postgres-errors.ts';
import { quoteIdent } from './quote.ts';
import { redactSecrets } from './url.ts';

/** Backoff between attempts to re-establish a dropped LISTEN connection. */
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 10_000;

/** The connection settings of the listening connection, what its messages may name, and where warnings go. */
export interface ListenerConfig {
  client: pg.ClientConfig;
  ctx: ConnectionContext;
  log: (message: string) => void;
}

type Handler = (payload: string) => void;

/**
 * The one connection that LISTENs for every channel of a `PostgresSqlClient`. A pooled connection
 * cannot listen: its LISTENs would go back to the pool with it. Opened by the first `listen`; when it
 * drops, it is re-opened with backoff and every channel is LISTENed again; `close()` ends it.
 */
export class Listener {
  readonly #config: ListenerConfig;
  /** Subscribers by channel name, exactly as PostgreSQL reports it in a notification. */
  readonly #channels = new Map<string, Set<Handler>>();
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;

  constructor(config: ListenerConfig) {
    this.#config = config;
  }

  async listen(channel: string, onMessage: Handler): Promise<() => Promise<void>> {
    if (this.#closed) throw new QueryError(`the client for ${this.#config.ctx.redactedUrl} is closed`, undefined);
    // A wrapper of our own, so one function subscribed twice is two independent subscriptions.
    const handler: Handler = (payload) => onMessage(payload);
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
    }
    handlers.add(handler);
    try {
      const client = await this.#connect();
      // Issued by every subscriber, not only the first: LISTEN is idempotent, and the promise then
      // resolves only once the server has registered it, even when another subscriber raced us.
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      await this.#remove(channel, handler);
      throw err instanceof pg.DatabaseError ? queryError(err, this.#config.ctx) : connectionError(err, this.#config.ctx);
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      await this.#remove(channel, handler);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    this.#channels.clear();
    const client = this.#client;
    this.#client = null;
    await Promise.all([client?.end().catch(() => {}), this.#connecting?.then((c) => c.end()).catch(() => {})]);
  }

  async #remove(channel: string, handler: Handler): Promise<void> {
    const handlers = this.#channels.get(channel);
    if (!handlers?.delete(handler) || handlers.size > 0) return;
    this.#channels.delete(channel);
    // Sent synchronously, before any await, so a LISTEN for the same channel issued right after queues
    // behind it on the connection. A connection that is gone has forgotten the channel anyway.
    await this.#client?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client(this.#config.client);
    client.on('notification', (msg) => this.#dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, undefined));
    try {
      await client.connect();
      for (const channel of [...this.#channels.keys()]) {
        if (this.#channels.has(channel)) await client.query(`LISTEN ${quoteIdent(channel)}`);
      }
      if (this.#closed) throw new QueryError(`the client for ${this.#config.ctx.redactedUrl} is closed`, undefined);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    this.#client = client;
    return client;
  }

  #dispatch(channel: string, payload: string): void {
    const handlers = this.#channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (err) {
        // One failing subscriber must not starve the others or kill the connection's event handler.
        this.#config.log(`a subscriber of channel "${channel}" threw: ${messageOf(err)}`);
      }
    }
  }

  #lost(client: pg.Client, err: Error | undefined): void {
    if (client !== this.#client) return; // an old connection, or one still opening (its caller handles it)
    this.#client = null;
    client.removeAllListeners('notification');
    client.end().catch(() => {});
    // Nobody listens: the next listen() opens a connection again.
    if (this.#closed || this.#channels.size === 0) return;
    const { ctx } = this.#config;
    const reason = err ? `: ${redactSecrets(messageOf(err), [ctx.target.password])}` : '';
    this.#config.log(`LISTEN connection to ${ctx.redactedUrl} lost${reason}; reconnecting (notifications sent meanwhile are lost)`);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#retry || this.#closed) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#failures);
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed || this.#client || this.#channels.size === 0) return;
      this.#connect().then(
        () => {
          this.#failures = 0;
          this.#config.log(`LISTEN connection to ${this.#config.ctx.redactedUrl} re-established (${this.#channels.size} channel(s))`);
        },
        (error: unknown) => {
          this.#failures++;
          this.#config.log(`LISTEN connection: ${connectionError(error, this.#config.ctx).message}; retrying`);
          this.#scheduleReconnect();
        },
      );
    }, delay);
  }
}
