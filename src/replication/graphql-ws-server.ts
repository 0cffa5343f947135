import type http from 'node:http';
import {
  CloseCode,
  DEPRECATED_GRAPHQL_WS_PROTOCOL,
  handleProtocols,
  makeServer,
  type ConnectionInitMessage,
  type Disposable,
  type ServerOptions,
} from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../observability/logger';

/** What each graphql-ws context carries: the socket and its upgrade request (as graphql-ws/use/ws has it). */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: http.IncomingMessage;
}

/** A close reason may be at most 123 bytes; a longer one is replaced by the generic text. */
const closeReason = (err: unknown, isProd: boolean): string => {
  const reason = err instanceof Error ? err.message : String(err);
  return isProd || reason.length >= 124 ? 'Internal server error' : reason;
};

/**
 * graphql-ws's `useServer` for ws (graphql-ws/use/ws, which invites copying it), with what it would
 * print through console.error written to the gateway's JSON log instead: one line per internal error,
 * like every other error of the server.
 */
export function serveGraphQLWs<P extends ConnectionInitMessage['payload'], E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<P, Extra & Partial<E>>,
  wss: WebSocketServer,
  logger: Pick<Logger, 'error' | 'warn'>,
  keepAliveMs = 12_000,
): Disposable {
  const isProd = process.env.NODE_ENV === 'production';
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (err) => {
    logger.error({ err }, 'internal error on the WebSocket server');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, closeReason(err, isProd));
  });
  wss.on('connection', (socket, request) => {
    socket.once('error', (err) => {
      logger.error({ err }, 'internal error on a WebSocket socket');
      socket.close(CloseCode.InternalServerError, closeReason(err, isProd));
    });
    // Pings keep idle links open, and find the dead ones: a socket that answers no ping is dropped.
    let pongWait: NodeJS.Timeout | null = null;
    const pinger =
      keepAliveMs > 0 && Number.isFinite(keepAliveMs)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
            socket.once('pong', () => {
              if (pongWait) clearTimeout(pongWait);
              pongWait = null;
            });
            socket.ping();
          }, keepAliveMs)
        : null;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (event) => {
            try {
              await cb(String(event));
            } catch (err) {
              logger.error({ err }, 'internal error while handling a WebSocket message');
              socket.close(CloseCode.InternalServerError, closeReason(err, isProd));
            }
          }),
      },
      { socket, request } as Extra & Partial<E>,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      if (pinger) clearInterval(pinger);
      if (!isProd && code === CloseCode.SubprotocolNotAcceptable && socket.protocol === DEPRECATED_GRAPHQL_WS_PROTOCOL) {
        logger.warn(
          { protocol: socket.protocol },
          'a client asked for the deprecated subscriptions-transport-ws protocol, which is not served',
        );
      }
      closed(code, String(reason));
    });
  });
  return {
    async dispose() {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
