// The registry is the one writer of project records: each change is persisted, a change decided on
// a record that `up`, a reload or `down` replaced meanwhile is dropped, and a new config keeps what
// it should of the old record (scale, stops on a reload, no give-ups).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/compose/load.js';
import { freshMemory } from '../../../src/daemon/core/replica-memory.js';
import { keepUnnamed, nextRecord } from '../../../src/daemon/state/next-record.js';
import { ProjectRegistry } from '../../../src/daemon/state/project-registry.js';
import { StateStore } from '../../../src/daemon/state/state-store.js';

const COMPOSE = 'services:\n  app:\n    image: busybox\n    deploy: { replicas: 2 }\n  db:\n    image: busybox\n';

async function registryWithShop() {
  const dir = await mkdtemp(join(tmpdir(), 'composed-registry-'));
  const store = new StateStore(join(dir, 'state'));
  const failed: string[] = [];
  const registry = new ProjectRegistry({ store, logger: pino({ level: 'silent' }), onSaveFailed: (p) => failed.push(p) });
  await registry.load();
  const file = join(dir, 'compose.yaml');
  await writeFile(file, COMPOSE);
  const { project, warnings } = await loadProject({ files: [file], projectName: 'shop', cwd: dir, env: {}, profiles: [] });
  const config = { load: { files: [file], cwd: dir, env: {}, profiles: [] }, project, configHashes: { app: 'h1', db: 'h2' }, rollouts: {}, warnings, reload: false };
  await registry.adopt(nextRecord(undefined, config));
  return { registry, store, config, failed };
}

describe('project registry', () => {
  it('persists each change: a fresh registry over the same store reads it back', async () => {
    const { registry, store } = await registryWithShop();
    const shop = registry.get('shop')!;
    expect(await registry.setScale(shop, 'app', 5)).toBe(true);
    expect(await registry.stopService(shop, 'db')).toBe(true);
    const again = new ProjectRegistry({ store, logger: pino({ level: 'silent' }), onSaveFailed: () => undefined });
    await again.load();
    const read = again.get('shop')!;
    expect(read.scale).toEqual({ app: 5 });
    expect(read.stopped).toEqual(['db']);
    expect(again.intentFor(read, 'app')).toMatchObject({ replicas: 5, stopped: false });
    expect(again.intentFor(read, 'db')).toMatchObject({ replicas: 1, stopped: true });
  });

  it('folds the saves asked for before a write begins into that write, of the record as it is then', async () => {
    const { registry, store } = await registryWithShop();
    const shop = registry.get('shop')!;
    const writes: number[] = [];
    const save = store.save.bind(store);
    store.save = async (record) => {
      writes.push(record.scale['app'] ?? 0);
      await save(record);
    };
    // What a sync does to the record in place before it asks for a save.
    const scale = shop.scale as Record<string, number>;
    const saves = [1, 2, 3, 4].map((replicas) => {
      scale['app'] = replicas;
      return registry.save(shop);
    });
    await Promise.all(saves);
    expect(writes).toEqual([4]);
    const again = new ProjectRegistry({ store, logger: pino({ level: 'silent' }), onSaveFailed: () => undefined });
    await again.load();
    expect(again.get('shop')!.scale).toEqual({ app: 4 });
  });

  it('drops a change asked of a record that a new config replaced meanwhile', async () => {
    const { registry, config } = await registryWithShop();
    const stale = registry.get('shop')!;
    await registry.adopt(nextRecord(stale, config));
    expect(registry.isCurrent(stale)).toBe(false);
    expect(await registry.setScale(stale, 'app', 9)).toBe(false);
    expect(registry.setServiceMemory(stale, 'app', { 1: freshMemory() }, {})).toBe(false);
    expect(registry.get('shop')!.scale).toEqual({});
    expect(registry.get('shop')!.replicas).toEqual({});
  });

  it('drops every change once the project is down', async () => {
    const { registry } = await registryWithShop();
    const shop = registry.get('shop')!;
    await registry.remove('shop');
    expect(await registry.restartService(shop, 'app', 1)).toBe(false);
    expect(registry.get('shop')).toBeUndefined();
    expect(registry.all()).toEqual([]);
  });

  it('a reload keeps `composed stop` and the scale; `up` starts stopped services; give-ups are cleared', async () => {
    const { registry, config } = await registryWithShop();
    const shop = registry.get('shop')!;
    await registry.setScale(shop, 'app', 4);
    await registry.stopService(shop, 'db');
    const gaveUp = { ...freshMemory(), containerId: 'c1', handled: { containerId: 'c1', outcome: 'give-up' as const, reason: 'gave up after 7 restarts' }, history: { consecutive: 7, total: 7 } };
    registry.setServiceMemory(shop, 'app', { 1: gaveUp }, {});
    const reloaded = nextRecord(registry.get('shop'), { ...config, reload: true });
    expect(reloaded.scale).toEqual({ app: 4 });
    expect(reloaded.stopped).toEqual(['db']);
    expect(reloaded.replicas['app']?.[1]).toMatchObject({ handled: undefined, history: { consecutive: 0, total: 7 } });
    expect(nextRecord(registry.get('shop'), config).stopped).toEqual([]);
  });

  it('a changed replica count in the file wins over an earlier `composed scale`', async () => {
    const { registry, config } = await registryWithShop();
    await registry.setScale(registry.get('shop')!, 'app', 4);
    const edited = structuredClone(config.project);
    edited.services['app']!.replicas = 3;
    expect(nextRecord(registry.get('shop'), { ...config, project: edited }).scale).toEqual({});
  });

  it('a docker stop by someone else marks the replica and undoes a crash decision on the same container', async () => {
    const { registry } = await registryWithShop();
    const shop = registry.get('shop')!;
    registry.setServiceMemory(shop, 'app', { 1: { ...freshMemory(), containerId: 'c1', handled: { containerId: 'c1', outcome: 'replace', reason: 'exited', retryAt: 5 } } }, {});
    await registry.noteUserStop(shop, 'app', 1);
    expect(registry.get('shop')!.replicas['app']?.[1]).toMatchObject({ stoppedByUser: true, handled: undefined });
  });

  it('a rollback puts the previous config and hash back', async () => {
    const { registry } = await registryWithShop();
    const shop = registry.get('shop')!;
    const previous = structuredClone(shop.project.services['app']!);
    previous.environment = { VERSION: 'v1' };
    registry.setRollout(shop, 'app', { state: 'rolled-back', message: 'rolled back', at: 2 }, { service: previous, hash: 'h0' });
    expect(shop.project.services['app']!.environment).toEqual({ VERSION: 'v1' });
    expect(shop.configHashes['app']).toBe('h0');
    expect(shop.rollouts['app']?.state).toBe('rolled-back');
  });

  it('up SERVICE... leaves the others as they are: a new one not started, a running one on its config', async () => {
    const { registry, config } = await registryWithShop();
    const first = nextRecord(undefined, { ...config, only: new Set(['app']) });
    expect(first.stopped).toEqual(['db']);
    await registry.adopt(first);
    const edited = structuredClone(config.project);
    edited.services['app']!.environment = { EDITED: '1' };
    edited.services['db']!.environment = { EDITED: '1' };
    const hashes = { app: 'h1-edited', db: 'h2-edited' };
    keepUnnamed(registry.get('shop'), edited, hashes, new Set(['db']));
    expect(edited.services['app']!.environment).toEqual({});
    expect(hashes).toEqual({ app: 'h1', db: 'h2-edited' });
    const load = { ...config.load, services: ['db'], noDeps: true };
    const second = nextRecord(registry.get('shop'), { ...config, load, project: edited, configHashes: hashes, only: new Set(['db']) });
    expect(second.stopped).toEqual([]);
    expect(second.load).toEqual(config.load);
  });
});
