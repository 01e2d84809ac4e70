// Real sockets on 127.0.0.1 for the balancer tests: backends that answer with their own id, raw
// clients and servers, and ports that refuse or never answer (the HTTP client load is steady-load.ts). Everything here is closed by the
// test that made it; loops stop by themselves.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { afterEach } from 'vitest';
import { TcpBalancer, type Backend } from '../../src/daemon/balancer/tcp-balancer.js';
import type { Clock } from '../../src/daemon/ports/clock.js';

/**
 * Balancers and backends for one test file, closed after each test (newest first) whatever the
 * outcome.
 */
export function balancerScope() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async balancer(options: { connectTimeoutMs?: number; clock?: Clock; coldStartHoldMs?: number } = {}) {
      const { logger, lines } = captureLogger();
      const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: 0, logger, ...options });
      await balancer.start();
      cleanups.push(() => balancer.close());
      return { balancer, lines };
    },
    async rawServer(onSocket: (socket: Socket) => void): Promise<RawServer> {
      const server = await startRawServer(onSocket);
      cleanups.push(() => server.close());
      return server;
    },
    async idServers(...ids: string[]): Promise<IdServer[]> {
      const servers = await Promise.all(ids.map(startIdServer));
      for (const server of servers) cleanups.push(() => server.close());
      return servers;
    },
  };
}

/** A clock whose sleeps and timers end only when the test says so: `fire()` ends all pending ones. */
export function manualClock(): Clock & { fire(): void; readonly pending: number } {
  const sleepers = new Set<() => void>();
  const timer = (fn: () => void, repeat: boolean) => {
    const wake = () => {
      if (!repeat) sleepers.delete(wake);
      fn();
    };
    sleepers.add(wake);
    return { cancel: () => sleepers.delete(wake) };
  };
  return {
    now: () => 0,
    monotonic: () => 0,
    setTimer: (_ms, fn) => timer(fn, false),
    setRepeating: (_ms, fn) => timer(fn, true),
    sleep: (_ms, signal) =>
      new Promise((resolve, reject) => {
        const wake = () => {
          sleepers.delete(wake);
          resolve();
        };
        sleepers.add(wake);
        signal?.addEventListener('abort', () => {
          sleepers.delete(wake);
          reject(signal.reason);
        });
      }),
    fire: () => [...sleepers].forEach((wake) => wake()),
    get pending() {
      return sleepers.size;
    },
  };
}

export const asBackend = (server: IdServer): Backend => ({ id: server.id, host: '127.0.0.1', port: server.port });

export interface IdServer {
  id: string;
  port: number;
  /** Requests received; a slow one counts as soon as it arrives. */
  requests: number;
  /** Connections open right now. */
  open: number;
  close(): Promise<void>;
}

/**
 * An HTTP backend answering every request with its id. `/slow/<ms>` waits that long first, like a
 * long download or a slow page.
 */
export async function startIdServer(id: string): Promise<IdServer> {
  const state: IdServer = { id, port: 0, requests: 0, open: 0, close: () => closeHttp(server) };
  const server = createServer((req, res) => {
    state.requests += 1;
    const delay = Number(/^\/slow\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 0);
    const timer = setTimeout(() => res.end(id), delay);
    res.on('close', () => clearTimeout(timer));
  });
  server.on('connection', (socket) => {
    state.open += 1;
    socket.on('close', () => (state.open -= 1));
  });
  state.port = await listen(server);
  return state;
}

export interface RawServer {
  port: number;
  close(): Promise<void>;
}

/** A plain TCP backend whose behaviour the test writes socket by socket; half-open allowed. */
export async function startRawServer(onSocket: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server = createTcpServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A connected client socket; half-open so it can keep sending after the other side's FIN. */
export function connectRaw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface Received {
  text: string;
  /** The peer ended cleanly (FIN) rather than the socket erroring or being reset. */
  ended: boolean;
  error?: string;
}

/** Everything the socket receives until it closes. */
export function receiveAll(socket: Socket): Promise<Received> {
  return new Promise((resolve) => {
    const got: Received = { text: '', ended: false };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (got.text += chunk));
    socket.on('end', () => (got.ended = true));
    socket.on('error', (error: NodeJS.ErrnoException) => (got.error = error.code ?? error.message));
    socket.on('close', () => resolve(got));
  });
}

/** A port nothing listens on: connecting is refused at once. */
export async function refusedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Blackhole {
  port: number;
  close(): void;
}

/**
 * A port whose connects hang: a child process listens with a one-slot accept queue and blocks its
 * event loop before it can accept anything (Atomics.wait, no spinning), so once the queue is full
 * the kernel drops further SYNs.
 */
export async function blackhole(): Promise<Blackhole> {
  const script = `
    const s = require('net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d)))));
  // Fill the accept queue (backlog + 1 connections on Linux) so every later SYN is dropped.
  const fillers = [0, 1].map(() => connect({ host: '127.0.0.1', port }).on('error', () => {}));
  await Promise.all(fillers.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    },
  };
}

export interface CapturedLogger {
  logger: Logger;
  lines: Array<{ level: number; msg: string } & Record<string, unknown>>;
}

/** A pino logger whose lines land in an array, to assert what the balancer reported. */
export function captureLogger(): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

export function listen(server: TcpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
