/**
 * Open WebSockets of revoked tokens are closed within a second: every half second the tokens of the
 * open sockets are looked up (one query, only while such sockets exist), whichever process or the
 * CLI revoked them. The close code is 4403 (forbidden), as for a refused connection.
 */
import type { Tdm } from '@tdm/core/runtime';
import type { WebSocket } from 'ws';

const INTERVAL_MS = 500;

export function watchRevocations(tdm: Tdm) {
  const sockets = new Map<WebSocket, string>();
  let checking = false;
  const timer = setInterval(() => {
    if (sockets.size === 0 || checking) return;
    checking = true;
    const ids = [...new Set(sockets.values())];
    tdm.store.prisma.apiToken
      .findMany({ where: { id: { in: ids }, revokedAt: { not: null } }, select: { id: true } })
      .then((revoked) => {
        const gone = new Set(revoked.map((r) => r.id));
        for (const [socket, id] of sockets) {
          if (!gone.has(id)) continue;
          sockets.delete(socket);
          socket.close(4403, 'the API token was revoked');
        }
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, INTERVAL_MS);
  timer.unref();
  return {
    track(socket: WebSocket, tokenId: string) {
      sockets.set(socket, tokenId);
      socket.once('close', () => sockets.delete(socket));
    },
    stop() {
      clearInterval(timer);
      sockets.clear();
    },
  };
}
