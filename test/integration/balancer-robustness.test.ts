// What clients and backends may do to the balancer without crashing it: half-close, garbage, resets,
// slow readers; and closing it frees everything. Real sockets on 127.0.0.1; no Docker.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TcpBalancer } from '../../src/daemon/balancer/tcp-balancer.js';
import { eventually } from '../support/eventually.js';
import { asBackend, balancerScope, captureLogger, connectRaw, listen, receiveAll } from '../support/tcp-fixtures.js';
import { get, steadyLoad } from '../support/steady-load.js';

const scope = balancerScope();

// A listener leak shows up as MaxListenersExceededWarning; any warning fails the test.
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
beforeEach(() => {
  warnings.length = 0;
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
  expect(warnings).toEqual([]);
});

describe('TcpBalancer half-close', () => {
  it('a client that shuts down its sending side still gets the whole answer', async () => {
    // The backend answers only once it has seen the end of the request, like `nc -N` or a CGI.
    const backend = await scope.rawServer((socket) => {
      let request = '';
      socket.on('data', (chunk) => (request += chunk));
      socket.on('end', () => socket.end(request.toUpperCase()));
    });
    const { balancer } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: backend.port }]);

    const client = await connectRaw(balancer.port);
    const received = receiveAll(client);
    client.write('hello ');
    client.end('world');

    expect(await received).toEqual({ text: 'HELLO WORLD', ended: true });
  });

  it('a backend that finishes sending first still receives what the client sends after', async () => {
    let heard: Promise<string> = Promise.resolve('');
    const backend = await scope.rawServer((socket) => {
      socket.end('bye early\n');
      heard = new Promise((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
      });
    });
    const { balancer } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: backend.port }]);

    const client = await connectRaw(balancer.port);
    const received = receiveAll(client);
    await new Promise((resolve) => client.once('end', resolve));
    client.end('late words');

    expect(await received).toEqual({ text: 'bye early\n', ended: true });
    expect(await heard).toBe('late words');
  });
});

describe('TcpBalancer survives bad peers', () => {
  it('garbage, vanishing and resetting clients do not hurt it or leak connections', async () => {
    const [server] = await scope.idServers('web#1');
    const { balancer, lines } = await scope.balancer();
    balancer.setBackends([asBackend(server!)]);

    const abuse = Array.from({ length: 30 }, async (_, i) => {
      const client = await connectRaw(balancer.port);
      const received = receiveAll(client);
      if (i % 3 === 0) client.end(randomBytes(64 * 1024)); // not HTTP at all
      else if (i % 3 === 1) client.destroy(); // gone before the backend is even dialed
      else {
        client.write('GET /slow/1000 HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => client.resetAndDestroy(), 20); // RST mid-request
      }
      return received;
    });
    await Promise.all(abuse);

    expect((await get(balancer.port)).body).toBe('web#1');
    await eventually(() => expect(balancer.stats()[0]?.active).toBe(0));
    await eventually(() => expect(server!.open).toBe(0));
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a backend that resets mid-answer ends that client only', async () => {
    const backend = await scope.rawServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 20);
      });
    });
    const [healthy] = await scope.idServers('web#2');
    const { balancer, lines } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: backend.port }]);

    const client = await connectRaw(balancer.port);
    const received = receiveAll(client);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const got = await received;

    expect(got).toMatchObject({ text: expect.stringContaining('partial'), ended: false, error: 'ECONNRESET' });
    balancer.setBackends([asBackend(healthy!)]);
    expect((await get(balancer.port)).body).toBe('web#2');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a slow reader holds back the backend instead of filling the balancer memory', async () => {
    const total = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    const backend = await scope.rawServer((socket) => {
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    const { balancer } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: backend.port }]);

    const client = await connectRaw(balancer.port);
    client.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const readWhilePaused = balancer.stats()[0]!.bytesOut;

    let got = 0;
    client.on('data', (data: Buffer) => (got += data.length));
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.resume();
    await ended;
    client.end();

    // Only socket buffers (a few MB on loopback) sit between a paused client and the backend.
    expect(readWhilePaused).toBeLessThan(total / 4);
    expect(got).toBe(total);
    await eventually(() => expect(balancer.stats()[0]).toMatchObject({ active: 0, bytesOut: total }));
  });
});

describe('TcpBalancer lifecycle', () => {
  it('close ends open connections and frees the port', async () => {
    const [server] = await scope.idServers('web#1');
    const { logger } = captureLogger();
    const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: 0, logger });
    await balancer.start();
    balancer.setBackends([asBackend(server!)]);
    const port = balancer.port;
    const slow = get(port, '/slow/30000').then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const idle = await connectRaw(port);
    const idleOutcome = receiveAll(idle);
    await eventually(() => expect(server!.open).toBe(2));

    await balancer.close();

    expect(await slow).toMatch(/socket hang up|ECONNRESET/);
    expect(await idleOutcome).toEqual({ text: '', ended: false, error: 'ECONNRESET' });
    await eventually(() => expect(server!.open).toBe(0));
    const reuse = createServer();
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.listen({ host: '127.0.0.1', port }, () => resolve());
    });
    await new Promise((resolve) => reuse.close(resolve));
    await balancer.close(); // idempotent
  });

  it('close under steady load ends it without crashing anything', async () => {
    const servers = await scope.idServers('web#1', 'web#2');
    const { logger, lines } = captureLogger();
    const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: 0, logger });
    await balancer.start();
    balancer.setBackends(servers.map(asBackend));
    const load = steadyLoad(balancer.port, { concurrency: 8 });
    await eventually(() => expect(load.ok).toBeGreaterThan(100), { intervalMs: 5 });

    await balancer.close();
    const result = await load.stop();

    expect(result.ok).toBeGreaterThan(100);
    expect(result.errors.every((e) => /ECONNREFUSED|socket hang up|ECONNRESET/.test(e))).toBe(true);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('start rejects when the port is taken, and close still works', async () => {
    const holder = createServer();
    const port = await listen(holder);
    scope.defer(() => new Promise((resolve) => holder.close(resolve)));
    const { logger } = captureLogger();
    const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: port, logger });

    await expect(balancer.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await balancer.close();
  });
});
