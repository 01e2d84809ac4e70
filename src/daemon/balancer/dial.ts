// Open a TCP connection to a backend, bounded in time. The socket is handed out at once so the
// owner can cut the attempt (client gone, drain over, balancer closing) by destroying it.
//
// The bound is the socket's own idle timer rather than the injected Clock: it costs no extra timer
// or AbortController per connection, and the hot path is one dial per client connection.
import { connect, type Socket } from 'node:net';

export interface Dial {
  /** Half-open allowed, Nagle off so small replies are not held back. */
  socket: Socket;
  /** Resolves once connected; rejects with the connect error, a DialTimeoutError, or DialAbortedError. */
  connected: Promise<void>;
}

export class DialTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(host: string, port: number, timeoutMs: number) {
    super(`connect ${host}:${port} timed out after ${timeoutMs} ms`);
    this.name = 'DialTimeoutError';
  }
}

export class DialAbortedError extends Error {
  constructor(host: string, port: number) {
    super(`connect ${host}:${port} aborted`);
    this.name = 'DialAbortedError';
  }
}

const ignore = () => {};

export function dial(host: string, port: number, timeoutMs: number): Dial {
  const socket = connect({ host, port, allowHalfOpen: true, noDelay: true, timeout: timeoutMs });
  // Errors after the connect are the owner's to handle (through its pipes); one emitted before its
  // listeners are attached must not crash the daemon.
  socket.on('error', ignore);
  const connected = new Promise<void>((resolve, reject) => {
    const settle = (error?: Error) => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('timeout', onTimeout);
      socket.off('close', onClose);
      if (error === undefined) {
        socket.setTimeout(0); // an idle connection is the protocol's business, not ours
        return resolve();
      }
      socket.destroy();
      reject(error);
    };
    const onConnect = () => settle();
    const onError = (error: Error) => settle(error);
    const onTimeout = () => settle(new DialTimeoutError(host, port, timeoutMs));
    const onClose = () => settle(new DialAbortedError(host, port));
    socket.once('connect', onConnect);
    socket.once('error', onError);
    socket.once('timeout', onTimeout);
    socket.once('close', onClose);
  });
  return { socket, connected };
}
