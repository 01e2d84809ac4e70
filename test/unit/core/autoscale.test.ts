import { describe, expect, it } from 'vitest';
import type { Autoscale } from '../../../src/compose/model.js';
import {
  decideReplicas,
  firstSight,
  NO_RECOMMENDATIONS,
  type AutoscaleMemory,
  type ReplicaLoad,
} from '../../../src/daemon/core/autoscale.js';

const NOW = 1_000_000;

function spec(overrides: Partial<Omit<Autoscale, 'cpu'>> = {}, cpu: Partial<Autoscale['cpu']> = {}): Autoscale {
  return {
    min: 1,
    max: 10,
    cpu: { target: 60, ...cpu },
    intervalMs: 5_000,
    scaleUpStabilizationMs: 0,
    scaleDownStabilizationMs: 60_000,
    ...overrides,
  };
}

/** Replicas numbered from 1. A number is a ready replica's CPU; `unsampled` is ready without a
 * sample yet; `starting(x)` is not ready (its sample, if any, must be ignored). */
type Slot = number | { ready: boolean; cpuPercent?: number };
const unsampled: Slot = { ready: true };
const starting = (cpuPercent?: number): Slot => (cpuPercent === undefined ? { ready: false } : { ready: false, cpuPercent });

function replicas(...slots: Slot[]): ReplicaLoad[] {
  return slots.map((s, i) => (typeof s === 'number' ? { number: i + 1, ready: true, cpuPercent: s } : { number: i + 1, ...s }));
}

/** Earlier recommendations, given as how long ago they were made. */
function remembered(...entries: Array<{ ago: number; replicas: number }>): AutoscaleMemory {
  return { recommendations: entries.map((e) => ({ at: NOW - e.ago, replicas: e.replicas })) };
}

interface Row {
  name: string;
  spec?: Autoscale;
  current: number;
  replicas: ReplicaLoad[];
  memory?: AutoscaleMemory;
  desired: number;
  reason: string[];
}

const noDownWindow = spec({ scaleDownStabilizationMs: 0 });

const rows: Row[] = [
  // tolerance
  { name: 'holds within tolerance', current: 2, replicas: replicas(63, 63), desired: 2, reason: ['within tolerance', 'cpu 63%', 'target 60%'] },
  { name: 'holds exactly on the tolerance boundary above', current: 2, replicas: replicas(66, 66), desired: 2, reason: ['within tolerance', 'cpu 66%'] },
  { name: 'holds exactly on the tolerance boundary below', spec: noDownWindow, current: 2, replicas: replicas(54, 54), desired: 2, reason: ['within tolerance', 'cpu 54%'] },
  { name: 'scales up just past the tolerance', current: 2, replicas: replicas(67, 67), desired: 3, reason: ['cpu 67% > target 60%', '(2 of 2 ready)', '2 -> 3'] },

  // the HPA formula
  { name: 'scales up to ceil(current x average / target)', current: 2, replicas: replicas(92, 92), desired: 4, reason: ['cpu 92% > target 60%', '(2 of 2 ready)', '2 -> 4'] },
  { name: 'averages unequal replicas', current: 3, replicas: replicas(30, 90, 150), desired: 5, reason: ['cpu 90% > target 60%', '3 -> 5'] },
  { name: 'an exact product does not round up', current: 2, replicas: replicas(90, 90), desired: 3, reason: ['cpu 90%', '2 -> 3'] },
  { name: 'scales down without a window at once', spec: noDownWindow, current: 4, replicas: replicas(20, 20, 20, 20), desired: 2, reason: ['cpu 20% < target 60%', '(4 of 4 ready)', '4 -> 2'] },
  { name: 'an exact product does not round down further', spec: noDownWindow, current: 3, replicas: replicas(40, 40, 40), desired: 2, reason: ['cpu 40% < target 60%', '3 -> 2'] },
  { name: 'fractional samples that need exactly 1 replica are not rounded up to 2', spec: noDownWindow, current: 3, replicas: replicas(0.2, 32.2, 27.6), desired: 1, reason: ['cpu 20% < target 60%', '3 -> 1'] },
  { name: 'rounding up can keep the current count', spec: noDownWindow, current: 3, replicas: replicas(51, 51, 51), desired: 3, reason: ['cpu 51% < target 60%', 'still needs 3', 'hold at 3'] },

  // thresholds
  { name: 'no scale-up until above scale_up_above', spec: spec({}, { scaleUpAbove: 80 }), current: 2, replicas: replicas(75, 75), desired: 2, reason: ['cpu 75% > target 60%', 'not above scale-up threshold 80%', 'hold at 2'] },
  { name: 'exactly at scale_up_above is not above', spec: spec({}, { scaleUpAbove: 80 }), current: 2, replicas: replicas(80, 80), desired: 2, reason: ['not above scale-up threshold 80%'] },
  { name: 'above scale_up_above scales by the formula', spec: spec({}, { scaleUpAbove: 80 }), current: 2, replicas: replicas(85, 85), desired: 3, reason: ['cpu 85% > target 60%', '2 -> 3'] },
  { name: 'no scale-down until below scale_down_below', spec: spec({ scaleDownStabilizationMs: 0 }, { scaleDownBelow: 30 }), current: 4, replicas: replicas(40, 40, 40, 40), desired: 4, reason: ['cpu 40% < target 60%', 'not below scale-down threshold 30%', 'hold at 4'] },
  { name: 'below scale_down_below scales by the formula', spec: spec({ scaleDownStabilizationMs: 0 }, { scaleDownBelow: 30 }), current: 4, replicas: replicas(25, 25, 25, 25), desired: 2, reason: ['cpu 25% < target 60%', '4 -> 2'] },
  { name: 'thresholds do not override the tolerance', spec: spec({}, { scaleUpAbove: 62 }), current: 2, replicas: replicas(64, 64), desired: 2, reason: ['within tolerance', 'cpu 64%'] },

  // bounds
  { name: 'caps a scale-up at max', spec: spec({ max: 8 }), current: 4, replicas: replicas(180, 180, 180, 180), desired: 8, reason: ['cpu 180% > target 60%', '4 -> 8', 'capped at max 8'] },
  { name: 'holds at max when more are wanted', spec: spec({ max: 8 }), current: 8, replicas: replicas(120, 120, 120, 120, 120, 120, 120, 120), desired: 8, reason: ['cpu 120% > target 60%', 'already at max 8'] },
  { name: 'stops a scale-down at min', spec: spec({ min: 2, scaleDownStabilizationMs: 0 }), current: 3, replicas: replicas(5, 5, 5), desired: 2, reason: ['cpu 5% < target 60%', '3 -> 2', 'raised to min 2'] },
  { name: 'holds at min when fewer are wanted', spec: noDownWindow, current: 1, replicas: replicas(0), desired: 1, reason: ['cpu 0% < target 60%', 'already at min 1'] },
  { name: 'corrects a count below min at once', spec: spec({ min: 2 }), current: 1, replicas: replicas(5), desired: 2, reason: ['current 1 below min 2', '1 -> 2'] },
  { name: 'corrects zero replicas to min', current: 0, replicas: [], desired: 1, reason: ['current 0 below min 1', '0 -> 1'] },
  { name: 'corrects a count above max at once, whatever the load', spec: spec({ max: 4 }), current: 6, replicas: replicas(200, 200, 200, 200, 200, 200), desired: 4, reason: ['current 6 above max 4', '6 -> 4'] },
  { name: 'corrects above max even inside a scale-down window', spec: spec({ max: 4 }), current: 6, replicas: replicas(60, 60, 60, 60, 60, 60), memory: remembered({ ago: 1_000, replicas: 6 }), desired: 4, reason: ['above max 4', '6 -> 4'] },

  // missing samples
  { name: 'a replica without a sample counts as 0% on a scale-up', current: 3, replicas: replicas(120, 120, unsampled), desired: 4, reason: ['cpu 120% > target 60%', '(2 of 3 ready with samples)', 'counting the other 1 at 0% gives cpu 80%', '3 -> 4'] },
  { name: 'missing samples that would undo a scale-up hold it', current: 3, replicas: replicas(70, unsampled, unsampled), desired: 3, reason: ['cpu 70% > target 60%', 'counting the other 2 at 0% gives cpu 23%', 'hold at 3'] },
  { name: 'a replica without a sample counts as fully used on a scale-down', spec: noDownWindow, current: 4, replicas: replicas(10, 10, 10, unsampled), desired: 3, reason: ['cpu 10% < target 60%', '(3 of 4 ready with samples)', 'counting the other 1 at 100% gives cpu 33%', '4 -> 3'] },
  { name: 'missing samples that bring a scale-down within tolerance hold it', spec: noDownWindow, current: 2, replicas: replicas(30, unsampled), desired: 2, reason: ['cpu 30% < target 60%', 'counting the other 1 at 100% gives cpu 65%', 'hold at 2'] },
  { name: 'fully used is never below a target over 100%', spec: spec({ scaleDownStabilizationMs: 0 }, { target: 150 }), current: 2, replicas: replicas(30, unsampled), desired: 2, reason: ['cpu 30% < target 150%', 'counting the other 1 at 150% gives cpu 90%', 'still needs 2'] },
  { name: 'replicas not observed yet count like unsampled ones', current: 3, replicas: replicas(150), desired: 3, reason: ['cpu 150% > target 60%', '(1 of 3 ready with samples)', 'counting the other 2 at 0% gives cpu 50%', 'hold at 3'] },

  // not-ready replicas
  { name: 'a starting replica busy at 300% does not push the count up', current: 3, replicas: replicas(150, 150, starting(300)), desired: 5, reason: ['cpu 150% > target 60%', '(2 of 3 ready with samples)', 'counting the other 1 at 0% gives cpu 100%', '3 -> 5'] },
  { name: 'a starting replica counts as fully used on a scale-down', spec: noDownWindow, current: 3, replicas: replicas(10, 10, starting(5)), desired: 2, reason: ['cpu 10% < target 60%', 'counting the other 1 at 100% gives cpu 40%', '3 -> 2'] },
  { name: 'starting replicas can hold a scale-down entirely', spec: noDownWindow, current: 3, replicas: replicas(20, starting(), starting()), desired: 3, reason: ['cpu 20% < target 60%', 'counting the other 2 at 100% gives cpu 73%', 'hold at 3'] },
  { name: 'no ready replica: nothing to decide on', current: 2, replicas: replicas(starting(90), starting()), desired: 2, reason: ['no cpu samples from ready replicas', '(0 of 2 ready)', 'hold at 2'] },
  { name: 'ready replicas without any sample: nothing to decide on', current: 2, replicas: replicas(unsampled, unsampled), desired: 2, reason: ['no cpu samples', '(2 of 2 ready)', 'hold at 2'] },

  // stabilization windows
  { name: 'scale-down held by a higher recommendation in the window', current: 4, replicas: replicas(20, 20, 20, 20), memory: remembered({ ago: 30_000, replicas: 4 }), desired: 4, reason: ['cpu 20% < target 60%', 'hold at 4', 'scale-down held by stabilization window', 'highest recommendation 4 in last 60s'] },
  { name: 'the highest of several recommendations in the window wins', current: 4, replicas: replicas(20, 20, 20, 20), memory: remembered({ ago: 50_000, replicas: 4 }, { ago: 10_000, replicas: 3 }), desired: 4, reason: ['scale-down held', 'highest recommendation 4'] },
  { name: 'scale-down goes as far as the window allows', current: 4, replicas: replicas(20, 20, 20, 20), memory: remembered({ ago: 10_000, replicas: 3 }), desired: 3, reason: ['cpu 20% < target 60%', '4 -> 3', 'scale-down limited by stabilization window', 'highest recommendation 3 in last 60s'] },
  { name: 'a recommendation exactly a window old no longer counts', current: 4, replicas: replicas(20, 20, 20, 20), memory: remembered({ ago: 60_000, replicas: 4 }), desired: 2, reason: ['cpu 20% < target 60%', '4 -> 2'] },
  { name: 'scale-up held by a lower recommendation in the scale-up window', spec: spec({ scaleUpStabilizationMs: 30_000 }), current: 2, replicas: replicas(120, 120), memory: remembered({ ago: 10_000, replicas: 2 }), desired: 2, reason: ['cpu 120% > target 60%', 'hold at 2', 'scale-up held by stabilization window', 'lowest recommendation 2 in last 30s'] },
  { name: 'scale-up limited to the lowest recommendation in the scale-up window', spec: spec({ scaleUpStabilizationMs: 30_000 }), current: 2, replicas: replicas(120, 120), memory: remembered({ ago: 10_000, replicas: 3 }), desired: 3, reason: ['2 -> 3', 'scale-up limited by stabilization window', 'lowest recommendation 3 in last 30s'] },
  { name: 'the scale-down window does not slow a scale-up', current: 2, replicas: replicas(120, 120), memory: remembered({ ago: 1_000, replicas: 2 }), desired: 4, reason: ['cpu 120% > target 60%', '2 -> 4'] },
];

describe('decideReplicas', () => {
  it.each(rows)('$name', (row) => {
    const decision = decideReplicas({
      spec: row.spec ?? spec(),
      current: row.current,
      replicas: row.replicas,
      now: NOW,
      memory: row.memory ?? NO_RECOMMENDATIONS,
    });
    expect(decision.desired).toBe(row.desired);
    expect(decision.current).toBe(row.current);
    for (const words of row.reason) expect(decision.reason).toContain(words);
  });

  it('reports the average over ready replicas with samples only', () => {
    const decision = decideReplicas({ spec: spec(), current: 3, replicas: replicas(50, 70, starting(400)), now: NOW, memory: NO_RECOMMENDATIONS });
    expect(decision.averageCpu).toBe(60);
    expect(decision.desired).toBe(3);
    expect(decision.reason).toContain('within tolerance');
  });

  it('has no average without samples', () => {
    const decision = decideReplicas({ spec: spec(), current: 2, replicas: replicas(starting(), unsampled), now: NOW, memory: NO_RECOMMENDATIONS });
    expect(decision.averageCpu).toBeUndefined();
    expect(decision.desired).toBe(2);
    expect(decision.reason).toContain('no cpu samples');
  });
});

describe('decideReplicas memory', () => {
  it('remembers the clamped recommendation, including a hold', () => {
    const up = decideReplicas({ spec: spec({ max: 5 }), current: 2, replicas: replicas(300, 300), now: NOW, memory: NO_RECOMMENDATIONS });
    expect(up.desired).toBe(5);
    expect(up.reason).toContain('capped at max 5');
    expect(up.memory.recommendations).toEqual([{ at: NOW, replicas: 5 }]);

    const hold = decideReplicas({ spec: spec(), current: 2, replicas: replicas(60, 60), now: NOW, memory: NO_RECOMMENDATIONS });
    expect(hold.desired).toBe(2);
    expect(hold.reason).toContain('within tolerance');
    expect(hold.memory.recommendations).toEqual([{ at: NOW, replicas: 2 }]);
  });

  it('prunes recommendations older than the longest window and leaves the input untouched', () => {
    const memory = remembered({ ago: 90_000, replicas: 7 }, { ago: 60_000, replicas: 6 }, { ago: 59_999, replicas: 5 });
    const before = structuredClone(memory);
    const decision = decideReplicas({ spec: spec({ scaleUpStabilizationMs: 20_000 }), current: 5, replicas: replicas(60, 60, 60, 60, 60), now: NOW, memory });
    expect(decision.desired).toBe(5);
    expect(decision.reason).toContain('within tolerance');
    expect(decision.memory.recommendations).toEqual([
      { at: NOW - 59_999, replicas: 5 },
      { at: NOW, replicas: 5 },
    ]);
    expect(memory).toEqual(before);
  });

  it('records nothing when there is nothing to recommend from', () => {
    const memory = remembered({ ago: 1_000, replicas: 3 });
    const noSamples = decideReplicas({ spec: spec(), current: 3, replicas: replicas(starting(), starting(), starting()), now: NOW, memory });
    expect(noSamples.desired).toBe(3);
    expect(noSamples.reason).toContain('no cpu samples');
    expect(noSamples.memory).toEqual(memory);

    const outOfBounds = decideReplicas({ spec: spec({ max: 2 }), current: 3, replicas: replicas(10, 10, 10), now: NOW, memory });
    expect(outOfBounds.desired).toBe(2);
    expect(outOfBounds.reason).toContain('above max 2');
    expect(outOfBounds.memory).toEqual(memory);
  });
});

/**
 * Drives decisions on a fake clock. The service has a total CPU demand (in percent of one replica)
 * shared evenly by its replicas, and each tick applies the decision at once, as the daemon would.
 */
function simulate(opts: { spec: Autoscale; start: number; demandAt: (t: number) => number; until: number }) {
  let current = opts.start;
  let memory = NO_RECOMMENDATIONS;
  const ticks: Array<{ t: number; current: number; desired: number; reason: string; remembered: number }> = [];
  for (let t = 0; t <= opts.until; t += opts.spec.intervalMs) {
    const each = opts.demandAt(t) / current;
    const decision = decideReplicas({ spec: opts.spec, current, replicas: replicas(...Array<number>(current).fill(each)), now: NOW + t, memory });
    ticks.push({ t, current, desired: decision.desired, reason: decision.reason, remembered: decision.memory.recommendations.length });
    memory = decision.memory;
    current = decision.desired;
  }
  return ticks;
}

describe('decideReplicas over time', () => {
  const windowed = spec({ intervalMs: 1_000, scaleDownStabilizationMs: 10_000 });
  const HIGH = 240; // needs 4 replicas at 60%
  const LOW = 30; // needs 1

  it('a load alternating every 2 s never lowers the count with a 10 s scale-down window', () => {
    const ticks = simulate({ spec: windowed, start: 2, demandAt: (t) => (Math.floor(t / 2_000) % 2 === 0 ? HIGH : LOW), until: 60_000 });
    expect(ticks[0]).toMatchObject({ current: 2, desired: 4 });
    expect(ticks[0]!.reason).toContain('2 -> 4');
    for (const tick of ticks.slice(1)) {
      expect(tick.desired).toBe(4);
      if (tick.reason.includes('<')) expect(tick.reason).toContain('scale-down held by stabilization window (highest recommendation 4 in last 10s)');
      else expect(tick.reason).toContain('within tolerance');
    }
    // 10 s of 1 s ticks: the memory stays bounded by the window.
    expect(Math.max(...ticks.map((t) => t.remembered))).toBe(10);
  });

  it('after the load stops, scales down once the window has passed and not before', () => {
    const stopAt = 5_000;
    const ticks = simulate({ spec: windowed, start: 1, demandAt: (t) => (t < stopAt ? HIGH : LOW), until: 30_000 });
    const lastHigh = stopAt - 1_000; // the last tick that still saw the load recommended 4
    for (const tick of ticks.filter((t) => t.t > 0 && t.t < lastHigh + 10_000)) {
      expect(tick.desired).toBe(4);
      if (tick.t >= stopAt) expect(tick.reason).toContain('scale-down held by stabilization window');
    }
    const drop = ticks.find((t) => t.t === lastHigh + 10_000)!;
    expect(drop).toMatchObject({ current: 4, desired: 1 });
    expect(drop.reason).toContain('4 -> 1');
    expect(ticks.at(-1)).toMatchObject({ current: 1, desired: 1 });
    expect(ticks.at(-1)!.reason).toContain('cpu 30% < target 60%');
    expect(ticks.at(-1)!.reason).toContain('still needs 1');
  });

  it('without a scale-up window a spike is answered on the next tick', () => {
    const ticks = simulate({ spec: windowed, start: 1, demandAt: (t) => (t < 3_000 ? 30 : HIGH), until: 5_000 });
    expect(ticks.map((t) => t.desired)).toEqual([1, 1, 1, 4, 4, 4]);
    expect(ticks[3]!.reason).toContain('cpu 240% > target 60%');
    expect(ticks[3]!.reason).toContain('1 -> 4');
  });
});

describe('a service the autoscaler starts following', () => {
  const idle = spec({ intervalMs: 1_000, scaleDownStabilizationMs: 60_000 });

  it('keeps its count for the scale-down window, then follows the load (HPA recordInitialRecommendation)', () => {
    const memory = firstSight(3, NOW);
    const early = decideReplicas({ spec: idle, current: 3, replicas: replicas(2, 2, 2), now: NOW + 2_000, memory });
    expect(early.desired).toBe(3);
    expect(early.reason).toContain('scale-down held by stabilization window (highest recommendation 3 in last 60s)');
    const later = decideReplicas({ spec: idle, current: 3, replicas: replicas(2, 2, 2), now: NOW + 60_001, memory: early.memory });
    expect(later).toMatchObject({ desired: 1 });
  });

  it('scales up at once: the scale-up window is 0 by default', () => {
    const up = decideReplicas({ spec: idle, current: 1, replicas: replicas(240), now: NOW + 1_000, memory: firstSight(1, NOW) });
    expect(up.desired).toBe(4);
  });
});
