// post_start and pre_stop hooks as the supervisor runs them over an engine in memory: post_start
// after each start, pre_stop before each stop the daemon makes (scale-down, roll-out, a user's
// stop, down), each with an event; a failing post_start leaves the container running.
import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/eventually.js';
import { runningNames, supervise } from './harness.js';

const shop = (replicas: number, env = 'v1') => `
name: shop
services:
  app:
    image: busybox
    environment: { V: ${env} }
    deploy: { replicas: ${replicas} }
    post_start: [{ command: "echo started" }]
    pre_stop: [{ command: "echo stopping" }, { command: "echo second" }]
`;

const hookEvents = (events: { recent(): Array<{ type: string; replica?: number; message: string }> }) =>
  events.recent().filter((e) => e.type === 'hook').map((e) => `${e.replica} ${e.message}`);

describe('lifecycle hooks under supervision', () => {
  it('post_start runs in each new replica, with an event carrying its output', async () => {
    const { runtime, events } = await supervise(shop(2));
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']));
    await eventually(() => expect(hookEvents(events).sort()).toEqual(['1 post_start hook 1 exited with status 0: ran echo started', '2 post_start hook 1 exited with status 0: ran echo started']));
  });

  it('pre_stop runs, in order, before scale-down, a roll-out\'s old replica, a user\'s stop and down', async () => {
    const { runtime, lifecycle, events, edit } = await supervise(shop(2));
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1', 'shop-app-2']));
    const preStops = () => runtime.hooks.filter((h) => h.command[1] !== 'started').map((h) => h.command[1]);

    await edit(shop(1));
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1']));
    expect(preStops()).toEqual(['stopping', 'second']);

    await edit(shop(1, 'v2'));
    await eventually(() => expect(preStops()).toHaveLength(4));
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1']));

    await lifecycle.stopService('shop', 'app');
    await eventually(() => expect(runningNames(runtime)).toEqual([]));
    expect(preStops()).toHaveLength(6);
    await lifecycle.startService('shop', 'app');
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1']));

    await lifecycle.down('shop', { removeVolumes: false }, () => undefined);
    expect(preStops()).toHaveLength(8);
    expect(hookEvents(events).filter((m) => m.includes('pre_stop hook 2'))).toHaveLength(4);
  });

  it('a failing post_start is reported and the container keeps running; a failing pre_stop stops it all the same', async () => {
    const { runtime, events, lifecycle } = await supervise(shop(1));
    runtime.hookExit = (hook) => (hook.command[1] === 'stopping' ? 1 : 0);
    await eventually(() => expect(runningNames(runtime)).toEqual(['shop-app-1']));
    await lifecycle.stopService('shop', 'app');
    await eventually(() => expect(runningNames(runtime)).toEqual([]));
    // The first pre_stop failed: the second is not run, as compose ends the list there.
    expect(runtime.hooks.map((h) => h.command[1])).toEqual(['started', 'stopping']);
    expect(hookEvents(events)).toContain('1 pre_stop hook 1 exited with status 1 (the container is stopped all the same): ran echo stopping');

    runtime.hookExit = () => 3;
    await lifecycle.startService('shop', 'app');
    await eventually(() => expect(hookEvents(events)).toContain('1 post_start hook 1 exited with status 3 (the container keeps running, as docker compose leaves it): ran echo started'));
    expect(runningNames(runtime)).toEqual(['shop-app-1']);
    expect(runtime.count('create')).toBe(2);
  });
});
