// Abortive close: the peer gets a TCP reset, so it cannot take a cut-off transfer for a complete
// one (HTTP/1.0 bodies and raw streams are read until close).
import type { Socket } from 'node:net';

export function reset(socket: Socket): void {
  if (socket.destroyed) return;
  // libuv refuses to reset a socket whose FIN is already on its way (UV_EINVAL) and then never
  // closes it; its stream to the peer is complete anyway, so a plain close loses nothing. A socket
  // still connecting has no peer to tell.
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}
