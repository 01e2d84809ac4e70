// The control API: HTTP/1.1 + JSON over a unix socket (mode 0660), versioned paths. Every request
// is validated; a bad one gets a 4xx with the field at fault and the daemon carries on.
import { chmod, chown, mkdir, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { AccessGroups } from '../access/caller.js';
import { admit } from './authorize.js';
import type { ApiContext } from './context.js';
import { sendError, toHttpError } from './http.js';
import { routeRequest } from './routes.js';
import { handleUpgrade } from './session-route.js';

/** Requests slower than this to send their headers and body are cut off (slowloris). */
const REQUEST_TIMEOUT_MS = 30_000;

/** Headers slower than this are cut off; checked every CONNECTIONS_CHECK_MS (Node's default is 30 s). */
const HEADERS_TIMEOUT_MS = 10_000;
const CONNECTIONS_CHECK_MS = 1_000;

/**
 * What a listener puts in front of the API: the TCP listener's token check, and the dashboard's
 * pages beside the API's paths. The unix socket has none.
 */
export interface ApiFront {
  /** False when the request was answered (refused) and must go no further. */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** True when it answered a path outside the API. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function createApiServer(ctx: ApiContext, front?: ApiFront): Server {
  const server = createServer({ connectionsCheckingInterval: CONNECTIONS_CHECK_MS }, (req, res) => void handle(ctx, req, res, front));
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.maxHeadersCount = 100;
  // exec and run take over the connection (an HTTP upgrade, like the engine's own attach).
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!front || front.admitUpgrade(req, socket)) void handleUpgrade(ctx, req, socket, head);
  });
  return server;
}

async function handle(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, front?: ApiFront): Promise<void> {
  try {
    if (front && (!front.admit(req, res) || (await front.serve(req, res)))) return;
    admit(ctx, req);
    await routeRequest(ctx, req, res);
  } catch (error) {
    if (clientGone(req, error)) {
      ctx.logger.debug({ err: error, url: req.url, method: req.method }, 'client went away mid-request');
      res.destroy();
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.status >= 500) ctx.logger.error({ err: error, url: req.url, method: req.method }, 'request failed');
    sendError(res, httpError);
  }
}

/** The client closed or reset its connection: nothing to answer, and not the daemon's failure. */
function clientGone(req: IncomingMessage, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return req.destroyed && (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'EPIPE');
}

/**
 * Listen on a unix socket: its directory is created 0755, the socket is 0660 (owner and group).
 * A directory anyone may write to without the sticky bit is refused: anyone could replace the socket.
 * The socket's group is the restricted group when there is one, else the socket group. With both,
 * one file group cannot let both in: the socket is then 0666 and the daemon itself refuses every
 * client in neither group (api/authorize.ts), from the kernel's peer credentials.
 */
export async function listenOnSocket(server: Server, socketPath: string, groups: AccessGroups = {}): Promise<void> {
  const dir = dirname(socketPath);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const { mode } = await stat(dir);
  if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) {
    throw new Error(`refusing to listen on ${socketPath}: ${dir} is writable by everyone (mode ${(mode & 0o7777).toString(8)}), so anyone could replace the socket; use a directory like /run/composed`);
  }
  if (await socketAnswers(socketPath)) {
    throw new Error(`another daemon already answers on ${socketPath}; stop it first or pick another --socket`);
  }
  await rm(socketPath, { force: true }); // a socket file left by a daemon that died
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const both = groups.socketGroup !== undefined && groups.restrictedGroup !== undefined;
  await chmod(socketPath, both ? 0o666 : 0o660);
  const group = groups.restrictedGroup ?? groups.socketGroup;
  if (group !== undefined) await chown(socketPath, process.getuid?.() ?? 0, group);
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
