// WATCHDOG=1 at half of WATCHDOG_USEC, but only while a health probe says the daemon really works:
// a daemon whose event loop is stuck sends nothing (its timer cannot fire), and one that is alive
// but has lost the engine withholds the ping, so systemd restarts it after WatchdogSec=.
// Start it after READY=1: systemd arms the watchdog when the service becomes ready, and a ping sent
// earlier would arm it during startup, where TimeoutStartSec= should rule instead.
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../ports/clock.js';
import type { SystemdNotifier } from './notify.js';

export interface WatchdogOptions {
  notifier: Pick<SystemdNotifier, 'enabled' | 'watchdog'>;
  /** Resolves true while the daemon is healthy; a rejection counts as false. */
  probe: () => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
  pid?: number;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningWatchdog {
  readonly intervalMs: number;
  stop(): void;
}

/**
 * Half of WATCHDOG_USEC in ms, as sd_watchdog_enabled(3) advises; undefined when systemd asked for
 * no watchdog, or asked another process (WATCHDOG_PID names someone else: we were exec'd by a
 * wrapper that kept the variable).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2_000));
}

/** Starts pinging; undefined when there is no watchdog to feed. */
export function startWatchdog(options: WatchdogOptions): RunningWatchdog | undefined {
  const intervalMs = watchdogIntervalMs(options.env ?? process.env, options.pid ?? process.pid);
  if (intervalMs === undefined || !options.notifier.enabled) return undefined;
  let probing = false;
  let healthy = true;
  const tick = async () => {
    // A probe slower than the interval must not pile up; a stuck one simply starves the watchdog.
    if (probing) return;
    probing = true;
    try {
      const ok = await options.probe().catch(() => false);
      if (ok !== healthy) {
        healthy = ok;
        if (ok) options.logger?.info('health probe passes again; feeding the systemd watchdog');
        else options.logger?.warn({ intervalMs }, 'health probe fails; withholding WATCHDOG=1 so systemd restarts the daemon if this lasts');
      }
      if (ok) await options.notifier.watchdog();
    } finally {
      probing = false;
    }
  };
  // The clock's timers never keep a stopping daemon alive, the watchdog's included.
  const timer = (options.clock ?? systemClock).setRepeating(intervalMs, () => void tick());
  void tick();
  return { intervalMs, stop: () => timer.cancel() };
}
