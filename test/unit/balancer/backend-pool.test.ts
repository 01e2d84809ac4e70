import { describe, expect, it } from 'vitest';
import { BackendPool, type Link } from '../../../src/daemon/balancer/backend-pool.js';

class FakeLink implements Link {
  bytesIn = 0;
  bytesOut = 0;
  readonly done = Promise.resolve();
  destroy(): void {}
}

const backend = (n: number) => ({ id: `web#${n}`, host: '10.0.0.' + n, port: 80 });
const none = new Set<string>();

function acquireMany(pool: BackendPool<FakeLink>, count: number): string[] {
  return Array.from({ length: count }, () => pool.acquire(none, new FakeLink())!.id);
}

describe('BackendPool', () => {
  it('rotates among equally loaded backends', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2), backend(3)]);
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const link = new FakeLink();
      const chosen = pool.acquire(none, link)!;
      picks.push(chosen.id);
      pool.release(chosen.id, link);
    }
    expect(picks).toEqual(['web#1', 'web#2', 'web#3', 'web#1', 'web#2', 'web#3']);
  });

  it('sends new connections to the backend holding the fewest', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    const held = new FakeLink();
    pool.acquire(none, held); // web#1 now holds one long connection
    expect(acquireMany(pool, 3)).toEqual(['web#2', 'web#1', 'web#2']);
  });

  it('counts a connection as active from the moment it is assigned, before it connects', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    acquireMany(pool, 4);
    expect(pool.stats().map((s) => [s.id, s.active, s.total])).toEqual([
      ['web#1', 2, 0],
      ['web#2', 2, 0],
    ]);
  });

  it('skips backends the client already tried', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    expect(pool.acquire(new Set(['web#1']), new FakeLink())?.id).toBe('web#2');
    expect(pool.acquire(new Set(['web#1', 'web#2']), new FakeLink())).toBeUndefined();
  });

  it('keeps a removed backend in stats while its connections finish, then forgets it', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    const link = new FakeLink();
    expect(pool.acquire(none, link)?.id).toBe('web#1');
    expect(pool.setBackends([backend(2)])).toEqual({ added: [], removed: ['web#1'] });
    expect(acquireMany(pool, 2)).toEqual(['web#2', 'web#2']);
    expect(pool.stats().map((s) => s.id)).toEqual(['web#1', 'web#2']);
    link.bytesIn = 10;
    pool.release('web#1', link);
    expect(pool.stats().map((s) => s.id)).toEqual(['web#2']);
  });

  it('retire takes a backend out of rotation and hands back its open connections', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    const link = new FakeLink();
    pool.acquire(none, link);
    expect(pool.retire('web#1')).toEqual([link]);
    expect(acquireMany(pool, 2)).toEqual(['web#2', 'web#2']);
    expect(pool.retire('web#9')).toEqual([]);
  });

  it('keeps the counters of a backend that comes back before its old connections closed', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1)]);
    const link = new FakeLink();
    pool.acquire(none, link);
    pool.connected('web#1');
    pool.setBackends([]);
    expect(pool.setBackends([backend(1)])).toEqual({ added: ['web#1'], removed: [] });
    expect(pool.stats()).toEqual([{ id: 'web#1', active: 1, total: 1, bytesIn: 0, bytesOut: 0, failures: 0, resets: 0 }]);
  });

  it('adds the bytes of open connections to those of closed ones', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1)]);
    const closed = new FakeLink();
    const open = new FakeLink();
    pool.acquire(none, closed);
    pool.acquire(none, open);
    Object.assign(closed, { bytesIn: 100, bytesOut: 1000 });
    pool.release('web#1', closed);
    Object.assign(open, { bytesIn: 5, bytesOut: 50 });
    expect(pool.stats()[0]).toMatchObject({ active: 1, bytesIn: 105, bytesOut: 1050 });
  });

  it('reports only the start and the end of a failing streak', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1)]);
    const attempt = () => {
      const link = new FakeLink();
      pool.acquire(none, link);
      return pool.failed('web#1', link);
    };
    expect([attempt(), attempt(), attempt()]).toEqual([true, false, false]);
    expect(pool.connected('web#1')).toBe(true);
    expect(pool.connected('web#1')).toBe(false);
    expect(pool.stats()[0]).toMatchObject({ active: 0, failures: 3, total: 2 });
  });

  it('rejects duplicate ids, a caller bug', () => {
    const pool = new BackendPool<FakeLink>();
    expect(() => pool.setBackends([backend(1), backend(1)])).toThrow(/duplicate/);
  });

  it('lists stats sorted by id whatever the rotation order', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(3), backend(1), backend(2)]);
    expect(pool.stats().map((s) => s.id)).toEqual(['web#1', 'web#2', 'web#3']);
  });
});

describe('BackendPool with a weighted canary', () => {
  it('gives the weighted backend its percent of new connections, the others the rest', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2), backend(3)]);
    pool.setWeighted({ id: 'web#3', weight: 25 });
    const picks = acquireMany(pool, 40);
    expect(picks.filter((id) => id === 'web#3')).toHaveLength(10);
    expect(picks.filter((id) => id === 'web#1').length).toBeGreaterThanOrEqual(14);
    expect(picks.filter((id) => id === 'web#2').length).toBeGreaterThanOrEqual(14);
  });

  it('a connection the canary refused is retried on the others', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    pool.setWeighted({ id: 'web#2', weight: 100 });
    expect(pool.acquire(new Set(['web#2']), new FakeLink())?.id).toBe('web#1');
  });

  it('ends the weighting when told, and counts resets per backend', () => {
    const pool = new BackendPool<FakeLink>();
    pool.setBackends([backend(1), backend(2)]);
    pool.setWeighted({ id: 'web#2', weight: 100 });
    pool.setWeighted(undefined);
    const link = new FakeLink();
    expect(pool.acquire(none, link)?.id).toBe('web#1');
    pool.reset('web#1');
    expect(pool.stats().find((s) => s.id === 'web#1')?.resets).toBe(1);
  });
});
