import { describe, expect, it } from 'vitest';
import { cpuPercent } from '../../../src/daemon/core/cpu-usage.js';

const s = (cpuMs: number, atMs: number) => ({ cpuNanos: cpuMs * 1e6, atNanos: atMs * 1e6 });

describe('cpu percent between two samples', () => {
  it.each([
    ['one core busy, no limit', s(0, 0), s(1000, 1000), 1, 100],
    ['half a core, no limit', s(0, 0), s(500, 1000), 1, 50],
    ['0.2 cpus limit fully used', s(0, 0), s(200, 1000), 0.2, 100],
    ['0.5 cpus limit, a quarter core used', s(100, 0), s(350, 1000), 0.5, 50],
    ['two cores busy, limit 2', s(0, 0), s(2000, 1000), 2, 100],
  ])('%s', (_name, a, b, limit, expected) => {
    expect(cpuPercent(a, b, limit)).toBeCloseTo(expected, 6);
  });

  it.each([
    ['no time passed', s(0, 1000), s(10, 1000)],
    ['counter went backwards (container restarted)', s(500, 0), s(10, 1000)],
  ])('is unknown when %s', (_name, a, b) => {
    expect(cpuPercent(a, b, 1)).toBeUndefined();
  });
});
