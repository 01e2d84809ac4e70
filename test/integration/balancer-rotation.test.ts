// Changing the rotation under load: removal, roll-out, scale-down and drain must fail no request.
// Real sockets on 127.0.0.1; no Docker.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { asBackend, balancerScope, connectRaw, manualClock, receiveAll } from '../support/tcp-fixtures.js';
import { get, steadyLoad, type Load } from '../support/steady-load.js';

const scope = balancerScope();

/** Let the load run until `more` further requests were answered. */
async function answered(load: Load, more: number): Promise<void> {
  const target = load.ok + more;
  await eventually(() => expect(load.ok).toBeGreaterThanOrEqual(target), { timeoutMs: 20_000, intervalMs: 5 });
}

describe('TcpBalancer rotation changes', () => {
  it('a backend left out of setBackends gets no new connections but keeps its open ones', async () => {
    const [old, fresh] = await scope.idServers('web#1', 'web#2');
    const { balancer } = await scope.balancer();
    balancer.setBackends([asBackend(old!)]);
    const slow = get(balancer.port, '/slow/400');
    await eventually(() => expect(old!.requests).toBe(1), { intervalMs: 5 });

    balancer.setBackends([asBackend(fresh!)]);

    expect((await get(balancer.port)).body).toBe('web#2');
    await eventually(() =>
      expect(balancer.stats().map((s) => [s.id, s.active])).toEqual([
        ['web#1', 1],
        ['web#2', 0],
      ]),
    );
    expect(await slow).toEqual({ status: 200, body: 'web#1' });
    await eventually(() => expect(balancer.stats().map((s) => s.id)).toEqual(['web#2']));
  });

  it('removing a backend under steady load fails no request and stops its traffic', async () => {
    const servers = await scope.idServers('web#1', 'web#2', 'web#3');
    const { balancer } = await scope.balancer();
    balancer.setBackends(servers.map(asBackend));
    const load = steadyLoad(balancer.port, { concurrency: 4 });
    await answered(load, 100);

    balancer.setBackends(servers.slice(1).map(asBackend));
    await answered(load, 20); // connections assigned before the change have landed by now
    const removedCount = servers[0]!.requests;
    await answered(load, 200);
    const result = await load.stop();

    expect(result.failed).toBe(0);
    expect(servers[0]!.requests).toBe(removedCount);
    expect(servers[1]!.requests).toBeGreaterThan(100);
    expect(servers[2]!.requests).toBeGreaterThan(100);
  });

  it('a roll-out (add new, drain old, stop old, one at a time) fails no request', async () => {
    const olds = await scope.idServers('web#1', 'web#2', 'web#3');
    const { balancer } = await scope.balancer();
    let rotation = olds.map(asBackend);
    balancer.setBackends(rotation);
    const load = steadyLoad(balancer.port, { concurrency: 4 });
    await answered(load, 50);

    for (const old of olds) {
      const [replacement] = await scope.idServers(`${old.id}-new`);
      rotation = [...rotation.filter((b) => b.id !== old.id), asBackend(replacement!)];
      balancer.setBackends(rotation);
      await balancer.drain(old.id, 5_000);
      await old.close();
      await answered(load, 50);
    }
    const result = await load.stop();

    expect(result.failed).toBe(0);
    expect(balancer.stats().map((s) => s.id)).toEqual(['web#1-new', 'web#2-new', 'web#3-new']);
  });

  it('a scale-down from 3 to 1 under load fails no request', async () => {
    const servers = await scope.idServers('web#1', 'web#2', 'web#3');
    const { balancer } = await scope.balancer();
    balancer.setBackends(servers.map(asBackend));
    const load = steadyLoad(balancer.port, { concurrency: 4 });
    await answered(load, 100);

    await Promise.all(
      servers.slice(1).map(async (server) => {
        await balancer.drain(server.id, 5_000);
        await server.close();
      }),
    );
    await answered(load, 100);
    const result = await load.stop();

    expect(result.failed).toBe(0);
    expect(balancer.stats().map((s) => s.id)).toEqual(['web#1']);
  });
});

describe('TcpBalancer.drain', () => {
  it('waits for an in-flight slow response, then resolves', async () => {
    const [server] = await scope.idServers('web#1');
    const { balancer } = await scope.balancer();
    balancer.setBackends([asBackend(server!)]);
    const slow = get(balancer.port, '/slow/500');
    await eventually(() => expect(server!.requests).toBe(1), { intervalMs: 5 });

    const started = Date.now();
    await balancer.drain('web#1', 10_000);
    const took = Date.now() - started;

    expect(await slow).toEqual({ status: 200, body: 'web#1' });
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(5_000);
    expect(balancer.stats()).toEqual([]);
  });

  it('cuts the connections still open when the grace period is over', async () => {
    const [server] = await scope.idServers('web#1');
    const { balancer, lines } = await scope.balancer();
    balancer.setBackends([asBackend(server!)]);
    const stuck = get(balancer.port, '/slow/30000').then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await eventually(() => expect(server!.requests).toBe(1), { intervalMs: 5 });

    const started = Date.now();
    await balancer.drain('web#1', 200);
    const took = Date.now() - started;

    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2_000);
    expect(await stuck).toMatch(/socket hang up|ECONNRESET/);
    expect(balancer.stats()).toEqual([]);
    await eventually(() => expect(server!.open).toBe(0));
    expect(lines.find((l) => l.msg.includes('grace period over'))).toMatchObject({ backend: 'web#1', cut: 1 });
  });

  it('times the grace period on the injected clock', async () => {
    const [server] = await scope.idServers('web#1');
    const clock = manualClock();
    const { balancer } = await scope.balancer({ clock });
    balancer.setBackends([asBackend(server!)]);
    const stuck = get(balancer.port, '/slow/30000').then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await eventually(() => expect(server!.requests).toBe(1), { intervalMs: 5 });

    let drained = false;
    const draining = balancer.drain('web#1', 10).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 200)); // 20x the grace period, in real time
    expect(drained).toBe(false);
    expect(clock.pending).toBe(1);
    clock.fire();
    await draining;

    expect(await stuck).toMatch(/socket hang up|ECONNRESET/);
    expect(clock.pending).toBe(0);
  });

  it('cuts a half-closed connection too (its FIN already passed on to the backend)', async () => {
    // The backend has the whole request and the client's FIN, and is slow to answer.
    const backend = await scope.rawServer((socket) => {
      socket.on('data', () => {});
      socket.on('end', () => setTimeout(() => socket.end('late answer'), 30_000).unref());
    });
    const { balancer } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: backend.port }]);
    const client = await connectRaw(balancer.port);
    const received = receiveAll(client);
    client.end('whole request');
    await eventually(() => expect(balancer.stats()[0]?.bytesIn).toBe('whole request'.length), { intervalMs: 5 });

    await balancer.drain('web#1', 100);

    expect(await received).toEqual({ text: '', ended: false, error: 'ECONNRESET' });
    expect(balancer.stats()).toEqual([]);
  });

  it('takes the backend out of rotation at once, even while its connections finish', async () => {
    const [draining, other] = await scope.idServers('web#1', 'web#2');
    const { balancer } = await scope.balancer();
    balancer.setBackends([asBackend(draining!)]);
    const slow = get(balancer.port, '/slow/400');
    await eventually(() => expect(draining!.requests).toBe(1), { intervalMs: 5 });
    balancer.setBackends([asBackend(draining!), asBackend(other!)]);

    const drained = balancer.drain('web#1', 5_000);
    const quick = await Promise.all([1, 2, 3, 4].map(() => get(balancer.port)));
    await drained;

    expect(quick.map((r) => r.body)).toEqual(['web#2', 'web#2', 'web#2', 'web#2']);
    expect((await slow).body).toBe('web#1');
  });

  it('resolves at once for a backend without connections or an unknown id', async () => {
    const [server] = await scope.idServers('web#1');
    const { balancer } = await scope.balancer();
    balancer.setBackends([asBackend(server!)]);

    await balancer.drain('web#1', 60_000);
    await balancer.drain('web#9', 60_000);

    expect(balancer.stats()).toEqual([]);
    await expect(get(balancer.port)).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
