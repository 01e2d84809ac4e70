import { describe, expect, it } from 'vitest';
import type { Autoscale } from '../../../src/compose/model.js';
import { decideReplicas, firstSight, NO_RECOMMENDATIONS, type ReplicaLoad } from '../../../src/daemon/core/autoscale.js';

const NOW = 1_000_000;

function spec(metrics: Pick<Autoscale, 'cpu' | 'memory' | 'connections' | 'requests'>, overrides: Partial<Autoscale> = {}): Autoscale {
  return { min: 1, max: 10, intervalMs: 1_000, scaleUpStabilizationMs: 0, scaleDownStabilizationMs: 0, ...metrics, ...overrides };
}

const ready = (number: number, load: Omit<ReplicaLoad, 'number' | 'ready'>): ReplicaLoad => ({ number, ready: true, ...load });

function decide(s: Autoscale, current: number, replicas: ReplicaLoad[], waiting = 0) {
  return decideReplicas({ spec: s, current, replicas, waiting, now: NOW, memory: NO_RECOMMENDATIONS });
}

describe('autoscaling on connections, requests and memory', () => {
  it('scales on the average open connections per ready replica', () => {
    const d = decide(spec({ connections: { target: 2 } }), 1, [ready(1, { connections: 6 })]);
    expect(d).toMatchObject({ desired: 3, metric: 'connections' });
    expect(d.reason).toBe('connections 6 > target 2 (1 of 1 ready): 1 -> 3');
    expect(d.metrics).toEqual([{ metric: 'connections', target: 2, average: 6 }]);
  });

  it('holds once the open connections average out at the target, even when one replica holds them all', () => {
    const d = decide(spec({ connections: { target: 2 } }), 3, [ready(1, { connections: 6 }), ready(2, { connections: 0 }), ready(3, { connections: 0 })]);
    expect(d.desired).toBe(3);
    expect(d.reason).toContain('within tolerance (connections 2, target 2)');
  });

  it('new replicas still starting do not push a connections scale-up further', () => {
    const starting: ReplicaLoad[] = [ready(1, { connections: 6 }), { number: 2, ready: false }, { number: 3, ready: false }];
    const d = decide(spec({ connections: { target: 2 } }), 3, starting);
    expect(d.desired).toBe(3);
    expect(d.reason).toContain('counting the other 2 at 0 gives connections 2');
  });

  it('counts a replica without a connections sample at the target on a scale-down', () => {
    const d = decide(spec({ connections: { target: 2 } }), 4, [ready(1, { connections: 0 }), ready(2, { connections: 0 }), ready(3, { connections: 0 }), ready(4, {})]);
    expect(d.desired).toBe(1);
    expect(d.reason).toContain('counting the other 1 at 2 gives connections 0.5');
  });

  it('scales on new connections per second', () => {
    const d = decide(spec({ requests: { target: 100 } }), 2, [ready(1, { requestsPerSecond: 250 }), ready(2, { requestsPerSecond: 150 })]);
    expect(d).toMatchObject({ desired: 4, metric: 'requests' });
    expect(d.reason).toContain('requests 200/s > target 100/s');
  });

  it('scales on memory as a percent of the limit', () => {
    const d = decide(spec({ memory: { target: 50 } }), 1, [ready(1, { memoryPercent: 90 })]);
    expect(d).toMatchObject({ desired: 2, metric: 'memory' });
    expect(d.reason).toBe('memory 90% > target 50% (1 of 1 ready): 1 -> 2');
  });

  it('takes the highest recommendation of several metrics and names the one that won', () => {
    const s = spec({ cpu: { target: 60 }, memory: { target: 50 }, connections: { target: 2 } });
    const d = decide(s, 2, [ready(1, { cpuPercent: 90, memoryPercent: 10, connections: 8 }), ready(2, { cpuPercent: 90, memoryPercent: 10, connections: 8 })]);
    expect(d).toMatchObject({ desired: 8, metric: 'connections' });
    expect(d.reason).toMatch(/^connections 8 > target 2/);
    expect(d.averageCpu).toBe(90);
  });

  it('a metric that holds keeps the count against one that wants fewer', () => {
    const s = spec({ cpu: { target: 60 }, connections: { target: 2 } });
    const d = decide(s, 3, [1, 2, 3].map((n) => ready(n, { cpuPercent: 62, connections: 0 })));
    expect(d).toMatchObject({ desired: 3, metric: 'cpu' });
    expect(d.reason).toContain('within tolerance (cpu 62%, target 60%)');
  });

  it('does not scale down while another metric has no samples', () => {
    const s = spec({ cpu: { target: 60 }, memory: { target: 50 } });
    const d = decide(s, 3, [1, 2, 3].map((n) => ready(n, { cpuPercent: 5 })));
    expect(d.desired).toBe(3);
    expect(d.reason).toContain('but no memory samples: no scale-down, hold at 3');
  });

  it('scales up on one metric while another has no samples', () => {
    const s = spec({ cpu: { target: 60 }, memory: { target: 50 } });
    const d = decide(s, 1, [ready(1, { cpuPercent: 120 })]);
    expect(d).toMatchObject({ desired: 2, metric: 'cpu' });
  });

  it('holds when no metric has a sample', () => {
    const d = decide(spec({ memory: { target: 50 }, connections: { target: 2 } }), 2, [ready(1, {}), ready(2, {})]);
    expect(d.desired).toBe(2);
    expect(d.reason).toBe('no memory/connections samples from ready replicas (2 of 2 ready): hold at 2');
  });
});

describe('scale to zero', () => {
  const toZero = spec({ connections: { target: 2 } }, { min: 0, max: 3 });

  it('goes to zero when no connection is open', () => {
    expect(decide(toZero, 1, [ready(1, { connections: 0 })])).toMatchObject({ desired: 0, reason: 'connections 0 < target 2 (1 of 1 ready): 1 -> 0' });
  });

  it('stays at zero while nobody waits', () => {
    expect(decide(toZero, 0, [])).toMatchObject({ desired: 0, reason: 'scaled to zero: no connection waiting, hold at 0' });
  });

  it('wakes to one replica when the balancer holds a connection, whatever the window', () => {
    const d = decideReplicas({ spec: { ...toZero, scaleUpStabilizationMs: 60_000 }, current: 0, replicas: [], waiting: 2, now: NOW, memory: firstSight(0, NOW - 1_000) });
    expect(d).toMatchObject({ desired: 1, reason: '2 connections waiting at 0 replicas: 0 -> 1' });
  });

  it('the scale-down window keeps a replica that just served a connection', () => {
    const d = decideReplicas({ spec: { ...toZero, scaleDownStabilizationMs: 30_000 }, current: 1, replicas: [ready(1, { connections: 0 })], now: NOW, memory: { recommendations: [{ at: NOW - 10_000, replicas: 1 }] } });
    expect(d.desired).toBe(1);
    expect(d.reason).toContain('scale-down held by stabilization window');
  });
});

it('a cpu-only service decides as before (its figures named cpu)', () => {
  const d = decide(spec({ cpu: { target: 60 } }), 2, [ready(1, { cpuPercent: 92 }), ready(2, { cpuPercent: 92 })]);
  expect(d).toMatchObject({ desired: 4, metric: 'cpu', metrics: [{ metric: 'cpu', target: 60, average: 92 }] });
});
