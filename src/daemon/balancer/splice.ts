// Join a client socket and a backend socket: bytes flow both ways with backpressure, a FIN on one
// side is passed on as a FIN (half-close), and an error on either side resets both.
//
// socket.pipe rather than stream.pipeline: pipeline destroys the other socket itself on an error,
// which closes it with a FIN before we could send the reset.
import type { Socket } from 'node:net';
import { reset } from './reset.js';

/**
 * Resolves once both sockets are closed, true when the backend's side failed (it reset the
 * connection); never rejects (errors end the pair, nothing more).
 */
export function splice(client: Socket, upstream: Socket): Promise<boolean> {
  let endsSeen = 0;
  let upstreamFailed = false;
  upstream.once('error', () => (upstreamFailed = true));
  const cut = () => {
    reset(client);
    reset(upstream);
  };
  // A socket closing before both directions ended was cut (reset, destroyed): cut the other too.
  // After both ends each socket closes by itself once its own FIN is flushed.
  const onClose = () => {
    if (endsSeen < 2) cut();
  };
  for (const socket of [client, upstream]) {
    socket.once('end', () => (endsSeen += 1));
    socket.once('error', cut);
    socket.once('close', onClose);
  }
  client.pipe(upstream);
  upstream.pipe(client);
  return Promise.all([closed(client), closed(upstream)]).then(() => upstreamFailed);
}

function closed(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
