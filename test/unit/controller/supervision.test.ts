// The supervision loop on a fake clock: a crash, a backoff that falls due to the millisecond, a
// give-up, a roll-out failing under each failure_action, and depends_on `restart: true`. Nothing
// here waits on real time: the clock moves only when a test advances it.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.js';
import { runningNames, supervise } from './harness.js';

const app = (body: string) => `
name: shop
services:
  app:
    image: busybox
${body}`;

describe('supervision on a fake clock', () => {
  it('replaces a crashed replica when its backoff falls due, not a millisecond before', async () => {
    const clock = new FakeClock();
    const { runtime, registry } = await supervise(app('    restart: always\n    deploy: { restart_policy: { delay: 2s } }\n'), clock);
    await clock.advance(0);
    const first = runtime.byName('shop-app-1')!;
    runtime.crash(first.id, 3);
    await clock.advance(1_999);
    expect(runtime.byName('shop-app-1')?.id).toBe(first.id);
    expect(registry.get('shop')!.replicas['app']![1]!.handled).toMatchObject({ outcome: 'replace', retryAt: clock.now() + 1 });
    await clock.advance(1);
    expect(runtime.byName('shop-app-1')?.id).not.toBe(first.id);
    expect(runningNames(runtime)).toEqual(['shop-app-1']);
  });

  it('doubles the backoff per crash and gives up after max_attempts, creating nothing more', async () => {
    const clock = new FakeClock();
    const { runtime, events } = await supervise(app('    restart: on-failure\n    deploy: { restart_policy: { delay: 1s, max_attempts: 2 } }\n'), clock);
    await clock.advance(0);
    runtime.crash(runtime.byName('shop-app-1')!.id, 1);
    await clock.advance(1_000);
    runtime.crash(runtime.byName('shop-app-1')!.id, 1);
    await clock.advance(1_999);
    expect(runtime.byName('shop-app-1')?.state).toBe('exited');
    await clock.advance(1);
    expect(runtime.byName('shop-app-1')?.state).toBe('running');
    const creates = runtime.count('create');
    runtime.crash(runtime.byName('shop-app-1')!.id, 1);
    await clock.advance(60_000);
    expect(runtime.count('create')).toBe(creates);
    expect(events.recent().filter((e) => e.type === 'gave-up').map((e) => e.message)).toEqual(['exited 1; gave up after 2 restarts (max_attempts 2)']);
  });

  it('restarts the dependants of a replaced dependency that asks for it (depends_on restart: true)', async () => {
    const clock = new FakeClock();
    const { runtime } = await supervise(
      `
name: shop
services:
  db: { image: busybox, restart: always, deploy: { restart_policy: { delay: 0s } } }
  app: { image: busybox, restart: always, depends_on: { db: { condition: service_started, restart: true } } }
  other: { image: busybox, restart: always, depends_on: [db] }
`,
      clock,
    );
    await clock.advance(0);
    const before = { app: runtime.byName('shop-app-1')!.id, other: runtime.byName('shop-other-1')!.id };
    await clock.advance(1_000);
    runtime.crash(runtime.byName('shop-db-1')!.id);
    await clock.advance(0);
    expect(runtime.byName('shop-app-1')?.id).not.toBe(before.app);
    expect(runtime.byName('shop-other-1')?.id).toBe(before.other);
    expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-db-1', 'shop-other-1']);
  });
});

describe('a roll-out whose new container fails', () => {
  const version = (v: string, failureAction: string) =>
    app(`    restart: always
    environment: { VERSION: "${v}" }
    deploy: { replicas: 2, update_config: { order: start-first, failure_action: ${failureAction} }, restart_policy: { delay: 1s } }
`);

  /** Up with v1, then an edit to v2 whose new containers exit at once. */
  async function failingRollout(failureAction: string) {
    const clock = new FakeClock();
    const supervised = await supervise(version('v1', failureAction), clock);
    await clock.advance(0);
    const v1 = runningNames(supervised.runtime).map((name) => supervised.runtime.byName(name)!.id);
    supervised.runtime.onStart = (c) => {
      if (c.name.endsWith('-next')) supervised.runtime.crash(c.id, 1);
    };
    await supervised.edit(version('v2', failureAction));
    await clock.advance(5_000);
    return { ...supervised, clock, v1 };
  }

  it('failure_action rollback: returns to the previous config, the old replicas never stopped', async () => {
    const { runtime, v1, registry } = await failingRollout('rollback');
    const record = registry.get('shop')!;
    expect(record.rollouts['app']).toMatchObject({ state: 'rolled-back', message: expect.stringContaining('shop-app-1-next exited with code 1') });
    expect(record.project.services['app']!.environment['VERSION']).toBe('v1');
    expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']);
    expect(runningNames(runtime).map((n) => runtime.byName(n)!.id)).toEqual(v1);
  });

  it('failure_action pause: keeps the new config but updates no further replica', async () => {
    const { runtime, v1, clock, registry } = await failingRollout('pause');
    const record = registry.get('shop')!;
    expect(record.rollouts['app']).toMatchObject({ state: 'paused' });
    expect(record.project.services['app']!.environment['VERSION']).toBe('v2');
    await clock.advance(60_000);
    expect(runningNames(runtime).map((n) => runtime.byName(n)!.id)).toEqual(v1);
    expect(runtime.byName('shop-app-1-next')).toBeUndefined();
  });

  it('failure_action continue: the failed new container takes over and the restart policy answers it', async () => {
    const { runtime, v1, registry } = await failingRollout('continue');
    expect(registry.get('shop')!.rollouts['app']?.state).not.toBe('rolled-back');
    // The old replica 1 was retired: its name now belongs to a container of the new config.
    expect(runtime.containers.has(v1[0]!)).toBe(false);
    expect(runtime.byName('shop-app-1')?.labels['com.docker.compose.config-hash']).toBe(registry.get('shop')!.configHashes['app']);
  });
});
