// A balancer with no backend holds a new connection for a while (a service scaled to zero starting
// its first replica) instead of resetting it. Real sockets on 127.0.0.1; no Docker.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { asBackend, balancerScope } from '../support/tcp-fixtures.js';
import { get } from '../support/steady-load.js';

const scope = balancerScope();

describe('TcpBalancer cold start', () => {
  it('holds a connection that finds no backend and hands it to the first one that enters the rotation', async () => {
    const { balancer } = await scope.balancer({ coldStartHoldMs: 10_000 });
    const reply = get(balancer.port);
    await eventually(() => expect(balancer.waiting()).toBe(1), { intervalMs: 5 });
    const [first] = await scope.idServers('web#1');
    balancer.setBackends([asBackend(first!)]);
    expect(await reply).toEqual({ status: 200, body: 'web#1' });
    expect(balancer.waiting()).toBe(0);
  });

  it('a held connection keeps trying a backend that is in rotation but not listening yet', async () => {
    const { balancer } = await scope.balancer({ coldStartHoldMs: 10_000 });
    const [late] = await scope.idServers('web#1');
    const port = late!.port;
    await late!.close();
    const reply = get(balancer.port);
    await eventually(() => expect(balancer.waiting()).toBe(1), { intervalMs: 5 });
    balancer.setBackends([{ id: 'web#1', host: '127.0.0.1', port }]);
    await eventually(() => expect(balancer.stats()[0]?.failures).toBeGreaterThanOrEqual(1), { intervalMs: 5 });
    const [listening] = await scope.idServers('web#1b');
    balancer.setBackends([asBackend(listening!)]);
    expect((await reply).body).toBe('web#1b');
  });

  it('resets the connection once the hold is over', async () => {
    const { balancer } = await scope.balancer({ coldStartHoldMs: 300 });
    await expect(get(balancer.port)).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(balancer.waiting()).toBe(0);
  });

  it('without a hold, a connection that finds no backend is reset at once', async () => {
    const { balancer } = await scope.balancer();
    await expect(get(balancer.port)).rejects.toThrow(/ECONNRESET|socket hang up/);
  });
});
