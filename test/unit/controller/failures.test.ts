// The controller against an engine that fails the ways the real one was seen to fail: a removal
// that never succeeds, an image that cannot be had, a passing engine error. Each failure's class
// decides what happens next; a replica never waits for a container that cannot be removed.
import { describe, expect, it } from 'vitest';
import { RuntimeError, type ContainerDetails } from '../../../src/daemon/ports/runtime.js';
import { eventually } from '../../support/eventually.js';
import { runningNames, supervise as superviseYaml } from './harness.js';

const COMPOSE = `
name: shop
services:
  app:
    image: busybox
    restart: always
    deploy: { replicas: 2, restart_policy: { delay: 0s } }
`;

/** What the real engine answered to every removal of a container after dockerd was SIGKILLed. */
const busy = (c: ContainerDetails | undefined) => {
  if (c) c.state = 'dead';
  return new RuntimeError('transient', `remove container ${c?.id}: driver "overlay2" failed to remove root filesystem: unlinkat /var/lib/docker/overlay2/x/merged: device or resource busy`, { statusCode: 500 });
};

async function supervise() {
  const supervised = await superviseYaml(COMPOSE);
  await eventually(() => expect(runningNames(supervised.runtime)).toEqual(['shop-app-1', 'shop-app-2']));
  return supervised;
}

describe('controller: a container the engine cannot remove', () => {
  it('never blocks its replica: the old one is moved aside, the new one takes the name at once', async () => {
    const { runtime, events, registry } = await supervise();
    const old = runtime.byName('shop-app-1')!;
    runtime.failure.remove = (c) => (c?.id === old.id ? busy(c) : undefined);
    runtime.crash(old.id);

    await eventually(() => {
      const successor = runtime.byName('shop-app-1');
      expect(successor?.id).not.toBe(old.id);
      expect(successor?.state).toBe('running');
    });
    expect(runtime.containers.get(old.id)?.name).toMatch(/^shop-app-1-dead-\d+$/);
    const stuck = registry.get('shop')!.stuck['app']!;
    expect(stuck[old.id]).toMatchObject({ tries: 1, error: expect.stringContaining('device or resource busy') });
    expect(events.recent({ project: 'shop' }).some((e) => e.type === 'operation-failed' && e.message.includes('moved it aside'))).toBe(true);
    expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']);
  });

  it('keeps trying to remove it in the background, and forgets it once the engine lets it go', async () => {
    const { runtime, registry } = await supervise();
    const old = runtime.byName('shop-app-2')!;
    let refusals = 0;
    runtime.failure.remove = (c) => (c?.id === old.id && ++refusals <= 2 ? busy(c) : undefined);
    runtime.crash(old.id);
    // Refused when replaced (1), at the first background try 1 s later (2), removed 2 s after that.
    await eventually(() => expect(runtime.containers.has(old.id)).toBe(false), { timeoutMs: 10_000 });
    expect(refusals).toBe(3);
    expect(registry.get('shop')!.stuck['app']).toBeUndefined();
    expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']);
  });
});

describe('controller: what a failed sync does next follows the error class', () => {
  it('terminal (an image that cannot be had): reported, not retried until restart', async () => {
    const { runtime, controller, lifecycle, events } = await supervise();
    runtime.failure.create = () => new RuntimeError('terminal', 'image busybox is not present and could not be pulled');
    runtime.crash(runtime.byName('shop-app-1')!.id);
    await eventually(() => expect(events.recent({ project: 'shop' }).some((e) => e.type === 'operation-failed' && e.message.includes('not retried until'))).toBe(true));
    const creates = runtime.count('create');
    // Resyncs and events do not bring it back while nothing changed.
    await controller.resyncAll();
    runtime.crash(runtime.byName('shop-app-2')!.id);
    await controller.waitIdle('shop');
    await controller.resyncAll();
    await controller.waitIdle('shop');
    expect(runtime.count('create')).toBe(creates);
    expect(runningNames(runtime)).toEqual([]);

    runtime.failure.create = undefined;
    await lifecycle.restart('shop', 'app');
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']));
  });

  it('transient (the engine failed for a moment): retried with backoff until it works', async () => {
    const { runtime } = await supervise();
    let refused = 0;
    runtime.failure.create = () => (++refused <= 2 ? new RuntimeError('transient', 'create container: 500 Internal Server Error', { statusCode: 500 }) : undefined);
    runtime.crash(runtime.byName('shop-app-1')!.id);
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']), { timeoutMs: 10_000 });
    expect(refused).toBe(3);
  });

  it('a roll-out surge the engine would not start is removed and created again; the roll-out completes', async () => {
    const { runtime, registry, edit } = await supervise();
    let refused = 0;
    runtime.failure.start = (c) => (c?.name.endsWith('-next') && refused++ === 0 ? new RuntimeError('transient', `start ${c.id}: OCI runtime create failed`, { statusCode: 500 }) : undefined);
    await edit(COMPOSE.replace('restart: always', 'restart: always\n    environment: { GENERATION: "2" }'));
    await eventually(() => {
      const record = registry.get('shop')!;
      expect(record.rollouts['app']?.state).toBe('complete');
      expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']);
      for (const name of runningNames(runtime)) expect(runtime.byName(name)!.labels['com.docker.compose.config-hash']).toBe(record.configHashes['app']);
    });
    expect(refused).toBeGreaterThan(1);
  });
});
