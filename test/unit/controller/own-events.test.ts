// The engine's events for what the daemon did itself: its own creates and starts are not synced
// on (the sync that made them already looks again once its plan ends), while every other event,
// and its own a while later, still is.
import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../../../src/daemon/ports/runtime.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryRuntime } from '../../support/memory-runtime.js';
import { supervise } from './harness.js';

class CountingRuntime extends MemoryRuntime {
  listings = 0;
  override async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    this.listings += 1;
    return super.listContainers(labels);
  }
}

const app = `
name: shop
services:
  app:
    image: busybox
    restart: always
    deploy: { replicas: 5 }
`;

async function upOnFakeClock() {
  const clock = new FakeClock();
  const runtime = new CountingRuntime(() => clock.now());
  const supervised = await supervise(app, clock, runtime);
  await clock.advance(0);
  return { clock, runtime, supervised };
}

describe("the daemon's own creates and starts", () => {
  it('a late start or create event of a replica it just started syncs nothing', async () => {
    const { clock, runtime } = await upOnFakeClock();
    const replica = runtime.byName('shop-app-3')!;
    const before = runtime.listings;
    runtime.replayEvent('start', replica.id);
    runtime.replayEvent('create', replica.id);
    await clock.advance(1_000);
    expect(runtime.listings).toBe(before);
  });

  it('the same event once the memory of its start has passed is synced on', async () => {
    const { clock, runtime } = await upOnFakeClock();
    await clock.advance(10_001);
    const before = runtime.listings;
    runtime.replayEvent('start', runtime.byName('shop-app-3')!.id);
    await clock.advance(0);
    expect(runtime.listings).toBeGreaterThan(before);
  });

  it('a death right after its own start is still answered: the replica is replaced', async () => {
    const { clock, runtime } = await upOnFakeClock();
    const first = runtime.byName('shop-app-2')!;
    runtime.crash(first.id, 1);
    await clock.advance(1_000);
    const next = runtime.byName('shop-app-2')!;
    expect(next.id).not.toBe(first.id);
    expect(next.state).toBe('running');
  });
});
