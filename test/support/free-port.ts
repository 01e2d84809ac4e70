// A 127.0.0.1 port free right now, as the kernel hands out port 0. A random pick in 20000-40000
// collided with a port in use (the ephemeral range starts at 32768: every engine connection holds
// one) and a replica could not publish it ("bind: address already in use").
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
