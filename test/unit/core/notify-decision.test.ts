import { beforeEach, describe, expect, it } from 'vitest';
import { CRASH_LOOP_QUIET_MS, CRASH_LOOP_RESTARTS } from '../../../src/daemon/core/notify-conditions.js';
import { NOTIFY_BURST, NOTIFY_WINDOW_MS, NotifyDecider, type Notification } from '../../../src/daemon/core/notify-decision.js';
import type { ServiceStatus } from '../../../src/protocol/api.js';
import { FakeClock } from '../../support/fake-clock.js';
import { iso, project, replica, service, world } from '../notify/world.js';

let clock: FakeClock;
let decider: NotifyDecider;
const look = (...services: ServiceStatus[]) => decider.observe(world([project('p', services)]), clock.now());
const types = (ns: Notification[]) => ns.map((n) => `${n.type}${n.recovers ? `(${n.recovers.join(',')})` : ''}`);

beforeEach(() => {
  clock = new FakeClock();
  decider = new NotifyDecider();
});

const exit = (code: number, at: number) => ({ cause: 'exit' as const, exitCode: code, oomKilled: false, at: iso(at), logTail: ['starting', 'cannot open /data/ok'] });
const failedWeb = () =>
  service('web', { phase: 'failed', message: 'gave up after 2 restarts (exited 3)', running: 0, ready: 0, replicas: [replica(1, { phase: 'failed', ready: false, lastExit: exit(3, clock.now()) })] });

describe('a service that gives up', () => {
  it('is told once, with the replica, exit code and log tail, and its recovery once', async () => {
    expect(look(service('web'))).toEqual([]);
    const told = look(failedWeb());
    expect(told).toEqual([
      { type: 'failed', project: 'p', service: 'web', replica: 1, reason: 'gave up after 2 restarts (exited 3)', exitCode: 3, at: iso(clock.now()), logTail: ['starting', 'cannot open /data/ok'] },
    ]);
    await clock.advance(30_000);
    expect(look(failedWeb())).toEqual([]);
    // `composed restart`: starting first, which is not yet a recovery.
    expect(look(service('web', { phase: 'starting', ready: 0, replicas: [replica(1, { phase: 'starting', ready: false })] }))).toEqual([]);
    const back = look(service('web'));
    expect(back).toMatchObject([{ type: 'recovered', project: 'p', service: 'web', recovers: ['failed'], reason: 'recovered from failed: running again, 1/1 ready', exitCode: null, logTail: [] }]);
    expect(look(service('web'))).toEqual([]);
  });

  it('says nothing about a healthy project, however often it is read', async () => {
    for (let i = 0; i < 50; i++) {
      expect(look(service('web'), service('db', { desired: 2, ready: 2, replicas: [replica(1), replica(2)] }))).toEqual([]);
      await clock.advance(5_000);
    }
  });

  it('is told again after a daemon restart (no memory across restarts), but an old unhealthy exit is not news', () => {
    const unhealthyBefore = replica(1, { lastExit: { ...exit(137, clock.now() - 60_000), cause: 'unhealthy' } });
    expect(types(look(failedWeb(), service('api', { replicas: [unhealthyBefore] })))).toEqual(['failed']);
  });

  it('waits while a sync is applying what it decided, then tells it whole; its problems stay open meanwhile', () => {
    const unsettled = (...services: ServiceStatus[]) => decider.observe({ ...world([project('p', services)]), unsettled: new Set(['p']) }, clock.now());
    expect(unsettled(failedWeb())).toEqual([]);
    expect(types(look(failedWeb()))).toEqual(['failed']);
    expect(unsettled(service('web'))).toEqual([]);
    expect(decider.openProblems()).toEqual({ 'service:p/web': ['failed'] });
    expect(types(look(service('web')))).toEqual(['recovered(failed)']);
  });

  it('ends without a word when the project goes down', () => {
    look(failedWeb());
    expect(decider.observe(world([]), clock.now())).toEqual([]);
    expect(decider.openProblems()).toEqual({});
  });
});

describe('a crash loop', () => {
  /** A restart: always service whose one replica has restarted at these times. */
  const looping = (times: number[], phase: ServiceStatus['phase'] = 'backoff') =>
    service('web', { phase, replicas: [replica(1, { phase: phase === 'running' ? 'running' : 'backoff', restartTimes: times.map(iso), restarts: times.length, lastExit: exit(1, times.at(-1) ?? 0) })] });

  it(`is one notification at the ${CRASH_LOOP_RESTARTS}th restart within 10 minutes, then a summary, then one recovery`, async () => {
    const times: number[] = [];
    const out: Notification[] = [];
    look(looping([]));
    for (let i = 0; i < 200; i++) {
      times.push(clock.now());
      out.push(...look(looping(times.slice(-20))));
      await clock.advance(6_000);
    }
    // 200 restarts over 20 minutes: the loop, then one summary per window (10 minutes, then 20).
    expect(types(out)).toEqual(['crash-loop', 'summary']);
    expect(out[0]).toMatchObject({ replica: 1, exitCode: 1, reason: 'p-web-1 restarted 5 times in the last 10 minutes' });
    expect(out[1]!.reason).toMatch(/^in the 10 minutes since .*: 99 restarts; still open: crash-loop$/);
    // It stops crashing: still a loop until it has been quiet for 5 minutes.
    await clock.advance(CRASH_LOOP_QUIET_MS - 60_000);
    expect(look(looping(times.slice(-20), 'running'))).toEqual([]);
    await clock.advance(60_000);
    // The restarts since the summary are told with the recovery, and no summary follows.
    expect(look(looping(times.slice(-20), 'running'))).toMatchObject([{ type: 'recovered', recovers: ['crash-loop'], reason: 'recovered from crash-loop: running again, 1/1 ready (meanwhile: 96 restarts)' }]);
    await clock.advance(NOTIFY_WINDOW_MS * 2);
    expect(look(looping(times.slice(-20), 'running'))).toEqual([]);
  });

  it('is not a loop below the threshold', async () => {
    const times: number[] = [];
    for (let i = 0; i < CRASH_LOOP_RESTARTS - 1; i++) {
      times.push(clock.now());
      expect(look(looping(times))).toEqual([]);
      await clock.advance(1_000);
    }
  });

  it('that ends in a give-up is told as failed, and each recovers when the service runs again', async () => {
    const times = [0, 1, 2, 3, 4].map((i) => clock.now() + i * 1_000);
    await clock.advance(5_000);
    expect(types(look(looping(times)))).toEqual(['crash-loop']);
    expect(types(look(failedWeb()))).toEqual(['failed']);
    expect(types(look(looping(times, 'running')))).toEqual(['recovered(failed)']);
    await clock.advance(CRASH_LOOP_QUIET_MS);
    expect(types(look(looping(times, 'running')))).toEqual(['recovered(crash-loop)']);
  });
});

describe('the budget per service', () => {
  const unhealthyAt = (at: number) =>
    service('web', { phase: 'starting', ready: 0, replicas: [replica(1, { phase: 'starting', health: 'starting', ready: false, lastExit: { ...exit(137, at), cause: 'unhealthy', healthOutput: 'curl: connection refused' } })] });

  it(`tells ${NOTIFY_BURST} problems in a window; the rest go into the summary at its end`, async () => {
    look(service('web'));
    const out: Notification[] = [];
    for (let i = 0; i < 5; i++) {
      out.push(...look(unhealthyAt(clock.now())));
      await clock.advance(60_000);
      out.push(...look(service('web')));
      await clock.advance(60_000);
    }
    expect(types(out)).toEqual(['unhealthy', 'recovered(unhealthy)', 'unhealthy', 'recovered(unhealthy)', 'unhealthy', 'recovered(unhealthy)']);
    expect(out[0]).toMatchObject({ replica: 1, exitCode: 137, reason: 'p-web-1 was replaced because it turned unhealthy: curl: connection refused' });
    await clock.advance(NOTIFY_WINDOW_MS);
    const summary = look(service('web'));
    expect(summary).toMatchObject([{ type: 'summary', service: 'web', reason: expect.stringMatching(/not told separately: unhealthy$/) }]);
    // A window with nothing held back ends quietly, and the next problem is told at once.
    await clock.advance(2 * NOTIFY_WINDOW_MS);
    expect(look(service('web'))).toEqual([]);
    expect(types(look(unhealthyAt(clock.now())))).toEqual(['unhealthy']);
  });
});

describe('problems that are not a service crashing', () => {
  it('an engine away for 10 s, and back', async () => {
    const read = (up: boolean) => decider.observe(world([project('p', [service('web')])], up), clock.now());
    expect(read(false)).toEqual([]);
    await clock.advance(5_000);
    expect(read(false)).toEqual([]);
    await clock.advance(5_000);
    expect(read(false)).toMatchObject([{ type: 'engine-unreachable', project: null, service: null }]);
    expect(read(true)).toMatchObject([{ type: 'recovered', recovers: ['engine-unreachable'], reason: 'recovered from engine-unreachable: the engine answers again' }]);
    // A blip shorter than that is no news at all.
    read(false);
    await clock.advance(3_000);
    expect(read(true)).toEqual([]);
  });

  it('a config error in a watched file, and the file valid again', () => {
    const broken = project('p', [service('web')], { configErrors: [{ severity: 'error', file: 'compose.yaml', line: 4, column: 12, path: 'services.web.ports[0]', message: 'invalid port "80:x"' }] });
    expect(decider.observe(world([broken]), clock.now())).toEqual([
      expect.objectContaining({ type: 'config-error', project: 'p', service: null, reason: 'compose.yaml:4:12 services.web.ports[0]: invalid port "80:x" (the previous config keeps running)' }),
    ]);
    expect(decider.observe(world([broken]), clock.now())).toEqual([]);
    expect(types(look(service('web')))).toEqual(['recovered(config-error)']);
  });

  it('a roll-out rolled back, until a later one completes', () => {
    const rolledBack = service('web', { rollout: { state: 'rolled-back', message: 'rolled back to the previous config: p-web-1-next exited with code 1', at: iso(clock.now()) } });
    expect(look(rolledBack)).toMatchObject([{ type: 'rollout-failed', reason: 'roll-out rolled-back: rolled back to the previous config: p-web-1-next exited with code 1' }]);
    expect(look(rolledBack)).toEqual([]);
    expect(types(look(service('web', { rollout: { state: 'complete', message: 'roll-out complete', at: iso(clock.now()) } })))).toEqual(['recovered(rollout-failed)']);
  });

  it('autoscaled to its maximum and still above target for 5 minutes', async () => {
    const scaled = (cpu: number, desired = 4) => service('web', { desired, ready: desired, autoscale: { min: 1, max: 4, targetCpu: 60, averageCpu: cpu, metrics: [{ metric: 'cpu', target: 60, average: cpu }] } });
    expect(look(scaled(95))).toEqual([]);
    await clock.advance(4 * 60_000);
    expect(look(scaled(95))).toEqual([]);
    await clock.advance(60_000);
    expect(look(scaled(91.6))).toMatchObject([{ type: 'autoscale-max', reason: 'at its maximum of 4 replicas and still at 92 % CPU (target 60 %)' }]);
    expect(types(look(scaled(40)))).toEqual(['recovered(autoscale-max)']);
    // Below the maximum, high CPU is the autoscaler's to handle.
    await clock.advance(10 * 60_000);
    expect(look(scaled(95, 3))).toEqual([]);
  });
});
