// The CLI's side of the control API: one HTTP request over the daemon's unix socket.
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ErrorResponse } from '../protocol/api.js';

export class DaemonUnavailable extends Error {}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.field ? `${body.field}: ${body.error}` : body.error);
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

export class DaemonClient {
  constructor(readonly socketPath: string) {}

  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const chunks: string[] = [];
    for await (const chunk of this.stream(path, options)) chunks.push(chunk);
    return JSON.parse(chunks.join('')) as T;
  }

  /** NDJSON answers, one parsed value per line as it arrives. */
  async *lines<T>(path: string, options: RequestOptions = {}): AsyncGenerator<T> {
    let buffered = '';
    for await (const chunk of this.stream(path, options)) {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) yield JSON.parse(line) as T;
      }
    }
    if (buffered.trim()) yield JSON.parse(buffered) as T;
  }

  /** The raw answer body, chunk by chunk; a non-2xx answer becomes an ApiError. */
  async *stream(path: string, options: RequestOptions = {}): AsyncGenerator<string> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          path,
          method: options.method ?? 'GET',
          headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
          signal: options.signal,
        },
        resolve,
      );
      req.on('error', (error: NodeJS.ErrnoException) => reject(this.connectionError(error)));
      req.end(body);
    });
    res.setEncoding('utf8');
    if ((res.statusCode ?? 500) >= 300) {
      let text = '';
      for await (const chunk of res as AsyncIterable<string>) text += chunk;
      throw new ApiError(res.statusCode ?? 500, parseError(text, res.statusCode));
    }
    for await (const chunk of res as AsyncIterable<string>) yield chunk;
  }

  /** An HTTP upgrade (exec, run): the raw connection once the daemon answered 101. */
  upgrade(path: string, protocol: string): Promise<{ socket: Duplex; head: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, path, method: 'POST', headers: { connection: 'Upgrade', upgrade: protocol } });
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => reject(new ApiError(res.statusCode ?? 500, parseError(text, res.statusCode))));
      });
      req.on('error', (error: NodeJS.ErrnoException) => reject(this.connectionError(error)));
      req.end();
    });
  }

  async ping(): Promise<boolean> {
    try {
      await this.json('/v1/version');
      return true;
    } catch (error) {
      if (error instanceof DaemonUnavailable) return false;
      throw error;
    }
  }

  private connectionError(error: NodeJS.ErrnoException): Error {
    if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') {
      return new DaemonUnavailable(`no composed daemon answers on ${this.socketPath} (start one with \`composed daemon\`, or run \`composed up\`)`);
    }
    if (error.code === 'EACCES') return new DaemonUnavailable(permissionDenied(this.socketPath));
    return error;
  }
}

function parseError(text: string, status: number | undefined): ErrorResponse {
  try {
    return JSON.parse(text) as ErrorResponse;
  } catch {
    return { error: text || `HTTP ${status}` };
  }
}

/**
 * Names the socket's group when it is not root's, and says what the two groups mean: joining the
 * socket group makes a user root's equal, as Docker's docker group does.
 */
function permissionDenied(socketPath: string): string {
  const groups = 'ask for the daemon\'s --restricted-group (your own projects, under a policy) or, only for people who may be root anyway, its --socket-group (root-equivalent, like the docker group)';
  try {
    const gid = statSync(socketPath).gid;
    const group = readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid))?.[0] ?? String(gid);
    if (gid === 0) return `permission denied on ${socketPath}: the socket is root's only; ${groups}, or run as root`;
    return `permission denied on ${socketPath}: it is open to group ${group}, which you are not in (or have not logged in again since joining); ${groups}, or run as root`;
  } catch {
    return `permission denied on ${socketPath}: its directory ${dirname(socketPath)} is not open to you; ${groups}, or run as root`;
  }
}
