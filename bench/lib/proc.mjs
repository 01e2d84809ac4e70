// What a process costs, from /proc (and what the daemon asked for, from its runtime trace): shared by
// the overhead bench and the autoscale bench's sampling-cost phase, so both measure the same way.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { procSample } from './daemon.mjs';
import { nowMs, sleep } from './util.mjs';

/** Clock ticks per second (utime/stime unit in /proc/<pid>/stat). */
export function clockTicksPerSecond() {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
}

/** CPU (% of one core) between two procSample()s of one process. */
export function cpuBetween(first, last, ticks) {
  return ((last.ticks - first.ticks) / ticks / ((last.at - first.at) / 1000)) * 100;
}

/** CPU (% of one core) of each pid over `ms`; undefined for a pid that is not there. */
export async function cpuOver(ms, pids, ticks) {
  const first = pids.map((pid) => (pid ? procSample(pid) : undefined));
  await sleep(ms);
  return pids.map((pid, i) => {
    if (!pid || !first[i]) return undefined;
    return cpuBetween(first[i], procSample(pid), ticks);
  });
}

/**
 * Samples `pid` every `everyMs` until `ms` have passed: the samples, the window's length in
 * seconds, CPU over the whole window and per interval (% of one core).
 */
export async function sampleWindow(pid, { ms, everyMs, ticks }) {
  const samples = [procSample(pid)];
  while (nowMs() - samples[0].at < ms) {
    await sleep(everyMs);
    samples.push(procSample(pid));
  }
  const first = samples[0];
  const last = samples.at(-1);
  return {
    samples,
    last,
    seconds: (last.at - first.at) / 1000,
    cpuPercent: cpuBetween(first, last, ticks),
    intervalCpu: samples.slice(1).map((s, i) => cpuBetween(samples[i], s, ticks)),
  };
}

/**
 * Engine calls and cgroup reads per minute, by method, from runtime-trace entries (Daemon.trace())
 * that began by `untilMs`, over a window of `seconds`.
 */
export function callsPerMinute(trace, untilMs, seconds) {
  const perMinute = {};
  for (const c of trace) {
    if (c.m === 'call' || c.m === 'event' || c.t0 > untilMs) continue;
    perMinute[c.m] = (perMinute[c.m] ?? 0) + 60 / seconds;
  }
  return perMinute;
}

/** The pid of the first process whose comm is `name`, or undefined. */
export function findPid(name) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
