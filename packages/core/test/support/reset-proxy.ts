/**
 * A real TCP proxy in front of a PostgreSQL server that resets chosen connections: at once (the
 * server refused or dropped us before the step's work) or when the client sends a message matching a
 * pattern (the connection dropped during the work, e.g. in the middle of a COPY). Every other byte is
 * forwarded unchanged, so the clients speak the real protocol to the real server.
 */
import { createServer, connect, type Socket } from 'node:net';

/** What happens to the n-th connection (1-based): forwarded, reset at once, or reset on a client message. */
export type ResetRule = 'pass' | 'reset' | { resetOn: (clientData: string) => boolean };

export interface ResetProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections the proxy reset. */
  readonly resets: number;
  close(): Promise<void>;
}

export async function startResetProxy(target: { host: string; port: number }, rule: (n: number) => ResetRule): Promise<ResetProxy> {
  let connections = 0;
  let resets = 0;
  const open = new Set<Socket>();
  const reset = (client: Socket, upstream?: Socket) => {
    resets++;
    upstream?.destroy();
    client.resetAndDestroy();
  };
  const server = createServer((client) => {
    const n = ++connections;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    const r = rule(n);
    if (r === 'reset') {
      reset(client);
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk) => {
      if (r !== 'pass' && r.resetOn(chunk.toString('latin1'))) {
        reset(client, upstream);
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get connections() {
      return connections;
    },
    get resets() {
      return resets;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
