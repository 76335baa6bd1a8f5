/**
 * The HTTP + WebSocket server: GraphQL over HTTP (graphql-yoga, GraphiQL at /graphql) and
 * subscriptions over graphql-ws on the same path, both through the same envelop (context, masking);
 * file exports under /export/ (src/export/routes.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tdm } from '@tdm/core/runtime';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { redactSecrets } from '@tdm/core/db/url';
import { TdmError } from '@tdm/core/errors';
import { createYoga, maskError } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { ConnectionInitMessage, Context as GraphqlWsContext, SubscribePayload } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { authRequired, resolveActor, resolveCaller } from './auth.ts';
import type { Context } from './context.ts';
import { handleExport } from './export/routes.ts';
import { queryLimitPlugins } from './limits.ts';
import { withRest } from './rest/index.ts';
import { watchRevocations } from './revocations.ts';
import { useScopes } from './scopes.ts';
import { schema } from './schema/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: graphql-ws accepts whatever envelop's executor returns.
type Enveloped = { execute: (args: ExecutionArgs) => any; subscribe: (args: ExecutionArgs) => any };

type Yoga = App['yoga'];
type Revocations = ReturnType<typeof watchRevocations>;
type SocketContext = GraphqlWsContext<ConnectionInitMessage['payload'], Extra>;

export interface App {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, Context>>;
  /** Listens on `port` (0 = any free port) and resolves with the port. */
  start(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

export function createApp(tdm: Tdm): App {
  const required = authRequired();
  const yoga = createGraphql(tdm, required);
  let server: Server | null = null;
  let wss: WebSocketServer | null = null;
  const revocations = watchRevocations(tdm);

  return {
    yoga,
    // Open servers stay on localhost; a server that checks tokens may listen everywhere.
    async start(port, host = process.env.API_HOST ?? (required ? '0.0.0.0' : '127.0.0.1')) {
      server = createServer(withRest(tdm, schema, yoga, graphqlOrExport(tdm, yoga, required), required));
      // A client keeps an idle connection for reuse. Node closes it after 5 s, and a test script that
      // spends longer between two calls (a psql check, a synchronous step) reuses a socket the server
      // has just closed: its next call fails with "other side closed" before reaching the API. Idle
      // connections stay open for a minute instead, like the proxies a server usually sits behind.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
      useServer(
        {
          // onSubscribe puts yoga's enveloped execute/subscribe in rootValue (graphql-yoga's graphql-ws recipe).
          execute: (args: ExecutionArgs) => (args.rootValue as Enveloped).execute(args),
          subscribe: (args: ExecutionArgs) => (args.rootValue as Enveloped).subscribe(args),
          onConnect: (ctx) => acceptSocket(tdm, required, revocations, ctx),
          onSubscribe: (ctx, _id, payload) => subscriptionArgs(yoga, ctx, payload),
        },
        wss,
      );
      return listen(server, port, host);
    },
    async stop() {
      revocations.stop();
      for (const client of wss?.clients ?? []) client.terminate();
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      server = null;
      wss = null;
    },
  };
}

/** GraphQL over HTTP: the schema with its limits, scopes, CSRF prevention, CORS and error masking. */
function createGraphql(tdm: Tdm, required: boolean): Yoga {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    plugins: [
      ...queryLimitPlugins(),
      useScopes(),
      // Cross-site forms and simple GETs carry no custom header and no JSON content type: refused.
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER, 'x-graphql-yoga-csrf'] }),
    ],
    graphiql: { subscriptionsProtocol: 'WS', title: 'TDM GraphQL' },
    landingPage: false,
    context: async (init: { request?: Request; connectionParams?: Record<string, unknown> }) => {
      const header = init.request?.headers.get('authorization') ?? (init.connectionParams?.authorization as string | undefined) ?? null;
      return { tdm, ...(await resolveCaller(tdm, header, required)) };
    },
    cors: {
      origin: corsOrigins(),
      credentials: true,
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', CSRF_HEADER],
    },
    maskedErrors: {
      maskError: (error, message, isDev) => typedError(error) ?? maskError(error, redactSecrets(message, []), isDev),
    },
    logging: process.env.TDM_LOG === 'debug' ? 'debug' : 'warn',
  });
}

/** /export/… streams files (CSV, zip); everything else is GraphQL. */
function graphqlOrExport(tdm: Tdm, yoga: Yoga, required: boolean): (req: IncomingMessage, res: ServerResponse) => void {
  const authorize = (header: string | null) => resolveActor(tdm, header, required);
  return (req, res) => {
    handleExport(tdm, req, res, authorize)
      .then((handled) => {
        if (!handled) yoga(req, res);
      })
      .catch((err) => res.destroy(err));
  };
}

/** Whether a WebSocket may connect: from an allowed origin, and with a valid token when tokens are required. */
async function acceptSocket(tdm: Tdm, required: boolean, revocations: Revocations, ctx: SocketContext): Promise<boolean> {
  // Browsers send Origin on a WebSocket handshake and CORS does not apply to it: a page of
  // another site could otherwise drive the API through a socket.
  const origin = ctx.extra.request.headers.origin;
  if (origin && !corsOrigins().includes(origin)) return false;
  const header = (ctx.connectionParams?.authorization as string | undefined) ?? ctx.extra.request.headers.authorization ?? null;
  if (!required && !header) return true;
  try {
    const caller = await resolveCaller(tdm, header, required);
    // A socket opened with a token is closed once that token (or one that minted it) is revoked.
    if (caller.token) revocations.track(ctx.extra.socket, caller.token.id);
    return true;
  } catch {
    return false;
  }
}

/** A subscription over the socket, run through yoga's envelop with the socket's token: its execution arguments, or why it is refused. */
async function subscriptionArgs(yoga: Yoga, ctx: SocketContext, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
  const authorization = (ctx.connectionParams?.authorization as string | undefined) ?? ctx.extra.request.headers.authorization;
  const {
    schema: s,
    execute,
    subscribe,
    contextFactory,
    parse,
    validate,
  } = yoga.getEnveloped({
    ...ctx,
    req: ctx.extra.request,
    socket: ctx.extra.socket,
    params: payload,
    connectionParams: { ...(ctx.connectionParams ?? {}), authorization },
  });
  let args: ExecutionArgs;
  try {
    args = {
      schema: s,
      operationName: payload.operationName,
      document: parse(payload.query),
      variableValues: payload.variables,
      contextValue: await contextFactory(),
      rootValue: { execute, subscribe },
    };
  } catch (err) {
    // A refused document (query limits) or a token revoked since the socket opened: an error
    // for this operation, not an internal error that closes the socket.
    // (By name: graphql-tools may build it from another copy of graphql.)
    if (err instanceof GraphQLError || (err as Error)?.name === 'GraphQLError') return [err as GraphQLError];
    throw err;
  }
  const errors = validate(args.schema, args.document);
  if (errors.length) return errors;
  return args;
}

/** Listens on `port` and `host`; resolves with the port listened on. */
async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * An expected failure (a TdmError) thrown by a field without an error union — `jobTrace("nope")`,
 * `preview(table: "nope")` — keeps its message and code instead of becoming INTERNAL_SERVER_ERROR.
 */
function typedError(error: unknown): GraphQLError | null {
  let original: unknown = error;
  for (let i = 0; i < 5 && original && !(original instanceof TdmError); i++) original = (original as { originalError?: unknown }).originalError;
  if (!(original instanceof TdmError)) return null;
  const graphql = error instanceof GraphQLError ? error : null;
  return new GraphQLError(redactSecrets(original.message, []), {
    nodes: graphql?.nodes,
    path: graphql?.path,
    extensions: { code: original.code },
  });
}

/** The header that marks a request as sent by a client of ours, not by a cross-site form. */
export const CSRF_HEADER = 'x-tdm-csrf';

function corsOrigins(): string[] {
  const port = process.env.STUDIO_PORT ?? '5173';
  const extra = (process.env.STUDIO_ORIGIN ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, ...extra];
}
