import { describe, expect, it } from 'vitest';
import { pickLeastActive, type Candidate } from '../../../src/daemon/balancer/pick.js';

const backends = (...active: number[]): Candidate[] => active.map((n, i) => ({ id: `web#${i + 1}`, active: n }));

describe('pickLeastActive', () => {
  it.each([
    { name: 'the idle backend over busy ones', candidates: backends(3, 0, 2), start: 0, exclude: [], want: 1 },
    { name: 'among equals, the first at the start index', candidates: backends(1, 1, 1), start: 2, exclude: [], want: 2 },
    { name: 'among equals, wrapping around', candidates: backends(0, 5, 0), start: 2, exclude: [], want: 2 },
    { name: 'a start index past the end wraps', candidates: backends(0, 0, 0), start: 4, exclude: [], want: 1 },
    { name: 'an excluded backend even when idle', candidates: backends(0, 4, 2), start: 0, exclude: ['web#1'], want: 2 },
    { name: 'nothing when all are excluded', candidates: backends(0, 0), start: 0, exclude: ['web#1', 'web#2'], want: undefined },
    { name: 'nothing from an empty rotation', candidates: [], start: 0, exclude: [], want: undefined },
  ])('picks $name', ({ candidates, start, exclude, want }) => {
    expect(pickLeastActive(candidates, start, new Set(exclude))).toBe(want);
  });
});
