// The observer asks the engine as little as it may: a listing of the project serves the syncs of
// its services while nothing changed them; a change to one service sends only that service's sync
// to the engine, by the service's labels; what status falls back on merges the newest of each.
import { describe, expect, it } from 'vitest';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../../src/daemon/core/labels.js';
import type { Project, Service } from '../../../src/compose/model.js';
import { Observer } from '../../../src/daemon/supervisor/observer.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';

async function shop() {
  const clock = new FakeClock();
  const runtime = new MemoryRuntime(() => clock.now());
  const project = { name: 'shop' } as Project;
  for (const [service, count] of [['web', 2], ['db', 1]] as const) {
    for (let number = 1; number <= count; number++) {
      await runtime.startContainer(await runtime.createReplica({ project, service: { name: service } as Service, number, name: `shop-${service}-${number}`, configHash: 'h' }));
    }
  }
  const listings: Array<Record<string, string>> = [];
  const list = runtime.listContainers.bind(runtime);
  runtime.listContainers = (labels) => {
    listings.push(labels);
    return list(labels);
  };
  return { clock, runtime, listings, observer: new Observer(runtime, clock, () => undefined) };
}

const names = (list: Array<{ name: string }>) => list.map((c) => c.name).sort();

describe('observer', () => {
  it('serves each service from the project listing while nothing changed it', async () => {
    const { observer, listings } = await shop();
    await observer.listProject('shop');
    expect(names(await observer.listService('shop', 'web', { maxAgeMs: 2_000 }))).toEqual(['shop-web-1', 'shop-web-2']);
    expect(names(await observer.listService('shop', 'db', { maxAgeMs: 2_000 }))).toEqual(['shop-db-1']);
    expect(listings).toHaveLength(1);
  });

  it('lists only the changed service again, by its labels, and keeps serving the others', async () => {
    const { observer, listings, runtime } = await shop();
    await observer.listProject('shop');
    runtime.crash(runtime.byName('shop-web-1')!.id, 1);
    observer.containersChanged('shop', 'web');
    const web = await observer.listService('shop', 'web', { maxAgeMs: 2_000 });
    expect(web.find((c) => c.name === 'shop-web-1')?.state).toBe('exited');
    await observer.listService('shop', 'db', { maxAgeMs: 2_000 });
    expect(listings).toHaveLength(2);
    expect(listings[1]).toMatchObject({ [LABEL_PROJECT]: 'shop', [LABEL_SERVICE]: 'web' });
    // The fallback for status has the newer listing of web and the project's of db.
    expect(observer.lastListingOf('shop').map((c) => `${c.name}:${c.state}`)).toEqual(['shop-db-1:running', 'shop-web-1:exited', 'shop-web-2:running']);
  });

  it('lists every service again after a change to the whole project, or once the listing is too old', async () => {
    const { observer, listings, clock } = await shop();
    await observer.listProject('shop');
    observer.containersChanged('shop');
    await observer.listService('shop', 'db', { maxAgeMs: 2_000 });
    expect(listings).toHaveLength(2);
    await observer.listProject('shop');
    await clock.advance(2_001);
    await observer.listService('shop', 'web', { maxAgeMs: 2_000 });
    expect(listings).toHaveLength(4);
  });

  it('reuses a project listing only while none of its services changed', async () => {
    const { observer, listings } = await shop();
    await observer.listProject('shop');
    await observer.listProject('shop', { maxAgeMs: 2_000 });
    expect(listings).toHaveLength(1);
    observer.containersChanged('shop', 'db');
    await observer.listProject('shop', { maxAgeMs: 2_000 });
    expect(listings).toHaveLength(2);
  });
});
