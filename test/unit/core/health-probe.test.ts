import { describe, expect, it } from 'vitest';
import {
  afterProbe,
  firstDaemonProbeAt,
  initialProbeState,
  MAX_LOG_ENTRIES,
  MAX_OUTPUT_BYTES,
  probeCommand,
  probeTiming,
  timedOutResult,
  whoProbes,
  type ProbeState,
} from '../../../src/daemon/core/health-probe.js';

const timing = { intervalMs: 1_000, timeoutMs: 500, retries: 3, startPeriodMs: 5_000 };
const ok = (start: number) => ({ exitCode: 0, output: 'ok', start, end: start + 10 });
const fail = (start: number) => ({ exitCode: 1, output: 'nope', start, end: start + 10 });

function run(results: Array<{ exitCode: number; output: string; start: number; end: number }>): ProbeState {
  return results.reduce((state, result) => afterProbe(state, result, 0, timing), initialProbeState);
}

describe('health probes run by the daemon', () => {
  it('reads the engine healthcheck, with Docker defaults for fields left out', () => {
    expect(probeTiming({ Test: ['CMD', 'true'], Interval: 2e9, Retries: 5 })).toEqual({ intervalMs: 2_000, timeoutMs: 30_000, retries: 5, startPeriodMs: 0 });
    expect(probeTiming({})).toEqual({ intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 });
  });

  it('runs CMD as given and CMD-SHELL through /bin/sh -c; NONE runs nothing', () => {
    expect(probeCommand(['CMD', 'wget', '-q', 'http://127.0.0.1/'])).toEqual(['wget', '-q', 'http://127.0.0.1/']);
    expect(probeCommand(['CMD-SHELL', 'test -f /tmp/ok'])).toEqual(['/bin/sh', '-c', 'test -f /tmp/ok']);
    expect(probeCommand(['NONE'])).toBeUndefined();
    expect(probeCommand(undefined)).toBeUndefined();
  });

  it('waits start period plus two intervals for an engine not known yet to log a result before probing itself', () => {
    expect(whoProbes(timing, 0, 6_999, 0, 'unknown')).toBe('wait');
    expect(whoProbes(timing, 0, 7_000, 0, 'unknown')).toBe('daemon');
    expect(whoProbes(timing, 0, 2_000, 1, 'unknown')).toBe('engine');
    expect(whoProbes(timing, 0, 60_000, 2, 'unknown')).toBe('engine');
  });

  it('never takes over on an engine seen logging probe results, however late this container is', () => {
    expect(whoProbes(timing, 0, 60_000, 0, 'logs-results')).toBe('engine');
  });

  it('on an engine known to run no probes, probes from the first interval, as Docker would', () => {
    expect(firstDaemonProbeAt(timing, 10_000, 'silent')).toBe(11_000);
    expect(firstDaemonProbeAt(timing, 10_000, 'unknown')).toBe(17_000);
    expect(whoProbes(timing, 10_000, 10_999, 0, 'silent')).toBe('wait');
    expect(whoProbes(timing, 10_000, 11_000, 0, 'silent')).toBe('daemon');
    // A result in this container's own log: the engine probes after all.
    expect(whoProbes(timing, 10_000, 11_000, 1, 'silent')).toBe('engine');
  });

  it('forgives failures in the start period, then turns unhealthy after `retries` failures in a row', () => {
    expect(run([fail(1_000), fail(2_000), fail(3_000), fail(4_000)]).status).toBe('starting');
    expect(run([fail(1_000), fail(6_000), fail(7_000)]).status).toBe('starting');
    expect(run([fail(6_000), fail(7_000), fail(8_000)])).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
  });

  it('counts every failure after the first success, even inside the start period', () => {
    expect(run([ok(1_000), fail(2_000), fail(3_000), fail(4_000)])).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
  });

  it('a success makes it healthy and resets the streak', () => {
    expect(run([fail(6_000), fail(7_000), ok(8_000)])).toMatchObject({ status: 'healthy', failingStreak: 0 });
    expect(run([fail(6_000), fail(7_000), fail(8_000), ok(9_000)]).status).toBe('healthy');
  });

  it('keeps the last five results, each output cut at 4 KiB, as Docker does', () => {
    const state = run([...Array.from({ length: 7 }, (_, i) => ok(i * 1_000)), { exitCode: 1, output: 'x'.repeat(10_000), start: 8_000, end: 8_001 }]);
    expect(state.log).toHaveLength(MAX_LOG_ENTRIES);
    expect(state.log.map((r) => r.start)).toEqual([3_000, 4_000, 5_000, 6_000, 8_000]);
    expect(state.log.at(-1)?.output).toBe(`${'x'.repeat(MAX_OUTPUT_BYTES)}...`);
  });

  it('records a probe that outran its timeout like Docker: exit -1 and the timeout message', () => {
    expect(timedOutResult(timing, 10, 510)).toEqual({ exitCode: -1, output: 'Health check exceeded timeout (0.5s)', start: 10, end: 510 });
  });
});
