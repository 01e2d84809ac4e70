import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { reset } from '../../../src/daemon/balancer/reset.js';
import { startRawServer, type RawServer } from '../../support/tcp-fixtures.js';

let server: RawServer | undefined;
afterEach(async () => {
  await server?.close();
});

/** A connected pair: our socket and the server's view of it, which records how it ended. */
async function connectedPair(): Promise<{ socket: Socket; peer: Promise<string> }> {
  let peer!: Promise<string>;
  server = await startRawServer((remote) => {
    peer = new Promise((resolve) => {
      remote.on('data', () => {});
      remote.on('end', () => resolve('fin'));
      remote.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  });
  const socket = connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
  await once(socket, 'connect');
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the server see the connection
  return { socket, peer };
}

describe('reset', () => {
  it('sends the peer a TCP reset', async () => {
    const { socket, peer } = await connectedPair();
    reset(socket);
    await once(socket, 'close');
    expect(await peer).toBe('ECONNRESET');
  });

  it('still closes a socket whose FIN is being sent (libuv cannot reset it then)', async () => {
    const { socket, peer } = await connectedPair();
    socket.end();
    await new Promise((resolve) => process.nextTick(resolve)); // the shutdown request is now pending
    reset(socket);
    await once(socket, 'close');
    expect(await peer).toBe('fin');
  });

  it('does nothing to a socket already destroyed', async () => {
    const { socket } = await connectedPair();
    socket.destroy();
    expect(() => reset(socket)).not.toThrow();
  });
});
