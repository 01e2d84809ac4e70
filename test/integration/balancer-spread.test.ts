// Where new connections go: spread, least connections, and failing backends skipped unnoticed.
// Real sockets on 127.0.0.1; no Docker.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { asBackend, balancerScope, blackhole, refusedPort } from '../support/tcp-fixtures.js';
import { get, steadyLoad } from '../support/steady-load.js';

const scope = balancerScope();

describe('TcpBalancer spreads connections', () => {
  it('sends 300 requests to all three backends, about a third each', async () => {
    const servers = await scope.idServers('web#1', 'web#2', 'web#3');
    const { balancer } = await scope.balancer();
    balancer.setBackends(servers.map(asBackend));

    const result = await steadyLoad(balancer.port, { concurrency: 3, maxRequests: 300 }).done;

    expect(result).toMatchObject({ ok: 300, failed: 0 });
    for (const id of ['web#1', 'web#2', 'web#3']) expect(result.byBody.get(id)).toBeGreaterThanOrEqual(80);
    // The client has its answer a moment before the balancer sees both sockets closed.
    const stats = await eventually(() => {
      const now = balancer.stats();
      expect(now.map((s) => s.active)).toEqual([0, 0, 0]);
      return now;
    });
    expect(stats.map((s) => s.id)).toEqual(['web#1', 'web#2', 'web#3']);
    expect(stats.reduce((sum, s) => sum + s.total, 0)).toBe(300);
    for (const s of stats) {
      expect(s.failures).toBe(0);
      expect(s.bytesIn).toBeGreaterThan(0);
      expect(s.bytesOut).toBeGreaterThan(0);
    }
  });

  it('prefers an idle backend over one holding long connections', async () => {
    const [busy, idle] = await scope.idServers('web#1', 'web#2');
    const { balancer } = await scope.balancer();
    balancer.setBackends([asBackend(busy!)]);
    const long = [1, 2, 3].map(() => get(balancer.port, '/slow/1500'));
    await eventually(() => expect(busy!.requests).toBe(3), { timeoutMs: 5_000, intervalMs: 10 });

    balancer.setBackends([asBackend(busy!), asBackend(idle!)]);
    const quick: string[] = [];
    for (let i = 0; i < 20; i++) quick.push((await get(balancer.port)).body);

    expect(quick).toEqual(Array(20).fill('web#2'));
    expect((await Promise.all(long)).map((r) => r.body)).toEqual(['web#1', 'web#1', 'web#1']);
  });
});

describe('TcpBalancer skips backends that cannot take a connection', () => {
  it('retries a backend that refuses on the next one, with no failure the client can see', async () => {
    const servers = await scope.idServers('web#2', 'web#3');
    const { balancer, lines } = await scope.balancer();
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: await refusedPort() }, ...servers.map(asBackend)]);

    const result = await steadyLoad(balancer.port, { concurrency: 3, maxRequests: 300 }).done;

    expect(result).toMatchObject({ ok: 300, failed: 0 });
    expect(result.byBody.get('web#1')).toBeUndefined();
    const refused = balancer.stats().find((s) => s.id === 'web#1')!;
    expect(refused).toMatchObject({ active: 0, total: 0 });
    expect(refused.failures).toBeGreaterThanOrEqual(50);
    // One warning when the backend starts failing, not one per connection.
    expect(lines.filter((l) => l.level === 40 && l.backend === 'web#1')).toHaveLength(1);
  });

  it('gives up on a backend that does not answer within the connect timeout and uses the next', async () => {
    const [server] = await scope.idServers('web#2');
    const hole = await blackhole();
    scope.defer(() => hole.close());
    const { balancer } = await scope.balancer({ connectTimeoutMs: 150 });
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port: hole.port }, asBackend(server!)]);

    const started = Date.now();
    const replies = await Promise.all([get(balancer.port), get(balancer.port), get(balancer.port)]);

    expect(replies.map((r) => r.body)).toEqual(['web#2', 'web#2', 'web#2']);
    expect(Date.now() - started).toBeLessThan(2_000);
    const hung = balancer.stats().find((s) => s.id === 'web#1')!;
    expect(hung.total).toBe(0);
    expect(hung.failures).toBeGreaterThanOrEqual(1);
  });

  it('closes the client only when every backend failed, and recovers when one comes back', async () => {
    const port = await refusedPort();
    const { balancer, lines } = await scope.balancer();
    balancer.setBackends([
      { id: 'web#1', host: '127.0.0.1', port },
      { id: 'web#2', host: '127.0.0.1', port: await refusedPort() },
    ]);

    await expect(get(balancer.port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(balancer.stats().map((s) => [s.id, s.failures])).toEqual([
      ['web#1', 1],
      ['web#2', 1],
    ]);

    const [back] = await scope.idServers('web#1');
    balancer.setBackends([{ ...asBackend(back!) }]);
    expect((await get(balancer.port)).body).toBe('web#1');
    expect(lines.some((l) => l.backend === 'web#1' && /accepts connections again/.test(l.msg))).toBe(true);
  });

  it('closes clients at once while no backend is ready', async () => {
    const { balancer } = await scope.balancer();
    await expect(get(balancer.port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(balancer.stats()).toEqual([]);
  });
});
