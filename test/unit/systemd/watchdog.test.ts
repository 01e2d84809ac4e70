import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startWatchdog, watchdogIntervalMs, type RunningWatchdog } from '../../../src/daemon/systemd/watchdog.js';

const PID = 4242;

describe('watchdogIntervalMs', () => {
  it('is half of WATCHDOG_USEC, in ms', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' }, PID)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(PID) }, PID)).toBe(30_000);
  });

  it('is undefined without a watchdog, with a malformed one, or when it is meant for another process', () => {
    expect(watchdogIntervalMs({}, PID)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' }, PID)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }, PID)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: '1' }, PID)).toBeUndefined();
  });
});

describe('startWatchdog', () => {
  let running: RunningWatchdog | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    running?.stop();
    running = undefined;
    vi.useRealTimers();
  });

  function setup(probe: () => Promise<boolean>, env: NodeJS.ProcessEnv = { WATCHDOG_USEC: '2000000' }, enabled = true) {
    const pings: number[] = [];
    const logs: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    running = startWatchdog({
      notifier: { enabled, watchdog: async () => void pings.push(Date.now()) },
      probe,
      env,
      pid: PID,
      logger,
    });
    return { pings, logs };
  }

  it('pings at once and then every half period while the probe passes', async () => {
    const { pings } = setup(async () => true);
    expect(running?.intervalMs).toBe(1_000);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(pings).toHaveLength(4);
  });

  it('withholds pings while the probe fails or throws, and resumes when it passes', async () => {
    let health: boolean | Error = true;
    const { pings, logs } = setup(async () => {
      if (health instanceof Error) throw health;
      return health;
    });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(pings).toHaveLength(2);
    health = false;
    await vi.advanceTimersByTimeAsync(2_000);
    health = new Error('engine did not answer');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(pings).toHaveLength(2);
    health = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pings).toHaveLength(3);
    // Logged on the change only, not on every tick.
    expect(logs.map((l) => l.msg)).toEqual([
      'health probe fails; withholding WATCHDOG=1 so systemd restarts the daemon if this lasts',
      'health probe passes again; feeding the systemd watchdog',
    ]);
  });

  it('does not pile up probes slower than the interval', async () => {
    let probes = 0;
    setup(() => {
      probes += 1;
      return new Promise((resolve) => setTimeout(() => resolve(true), 2_500));
    });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(probes).toBe(2);
  });

  it('stops pinging when stopped', async () => {
    const { pings } = setup(async () => true);
    await vi.advanceTimersByTimeAsync(0);
    running?.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(pings).toHaveLength(1);
  });

  it('does not start without WATCHDOG_USEC or without a service manager', () => {
    expect(setup(async () => true, {}).pings).toEqual([]);
    expect(running).toBeUndefined();
    setup(async () => true, { WATCHDOG_USEC: '2000000' }, false);
    expect(running).toBeUndefined();
  });
});
