// The CPU autoscaling decision for one service: how many replicas it should run now, and why.
// Pure: the time is a parameter, and the recent recommendations are passed in and handed back.
//
// Modelled on Kubernetes' HorizontalPodAutoscaler (replica_calculator.go and the v2 behaviour
// stabilization), in this order:
//   1. A count outside [min, max] (a `composed scale` or an edited file) is corrected at once.
//   2. The average CPU over ready replicas with a sample sets the direction. Without any such
//      sample nothing is decided (HPA: "did not receive metrics for any ready pods").
//   3. Hold within the tolerance (|average / target - 1| <= 0.1), and unless the average is past
//      `scaleUpAbove` / `scaleDownBelow` when those are given.
//   4. Replicas that are not ready, lack a sample, or are not observed at all are then counted
//      conservatively: as 0 % when scaling up, so they never push the count up, and as fully
//      used when scaling down. If that brings the average within tolerance or across the target,
//      hold: filling in the unknowns never reverses the direction (HPA does the same).
//   5. recommendation = ceil(current x average / target), clamped to [min, max].
//   6. Stabilization: the count goes no higher than the lowest recommendation within the
//      scale-up window and no lower than the highest within the scale-down window, so a spike
//      (or a dip) shorter than the window never moves it, and nothing flaps.
//
// Where this differs from HPA, on purpose:
//   - HPA leaves not-ready pods out of a scale-down; here they count as fully used, like missing
//     samples, so a service never shrinks because its new replicas are still starting.
//   - "Fully used" is 100 % of the limit (HPA's resource-metric code fills in 100 % of the request;
//     its docs say "100 % of the desired value"); never less than the target, so that with a
//     target above 100 % (no limit, several cores) an unknown replica cannot pull the count down.
//   - The recommendation is multiplied by `current` (the formula) where HPA multiplies by
//     the number of pods that had samples; they agree once every replica is accounted for.
import type { Autoscale } from '../../compose/model.js';

export interface ReplicaCpu {
  number: number;
  ready: boolean;
  /** Percent of its CPU limit, or of one core without a limit; undefined before the first sample. */
  cpuPercent?: number;
}

export interface Recommendation {
  /** When it was made (ms, the caller's clock). */
  at: number;
  /** Already clamped to [min, max]. */
  replicas: number;
}

/** What the autoscaler remembers between decisions; pruned to the longest stabilization window. */
export interface AutoscaleMemory {
  /** Oldest first. */
  recommendations: Recommendation[];
}

export interface AutoscaleDecision {
  desired: number;
  current: number;
  /** Average over ready replicas with a sample; undefined when there is none. */
  averageCpu?: number;
  reason: string;
  /** Hand back on the next decision for this service. */
  memory: AutoscaleMemory;
}

export interface AutoscaleInput {
  spec: Autoscale;
  /** The count the daemon keeps the service at. */
  current: number;
  /** The replicas counted in `current`; those not listed (not created yet) count as not ready. */
  replicas: ReplicaCpu[];
  now: number;
  memory: AutoscaleMemory;
}

export const NO_RECOMMENDATIONS: AutoscaleMemory = { recommendations: [] };

/**
 * The memory of a service the autoscaler starts following (a daemon start, autoscale added to a
 * running service): the count it has now counts as a recommendation made now, as HPA's
 * recordInitialRecommendation does. Without it the first sample decided alone, and a 3-replica
 * service that idled was cut to 1 a second after autoscale was added, whatever its window.
 */
export function firstSight(current: number, now: number): AutoscaleMemory {
  return { recommendations: [{ at: now, replicas: current }] };
}

/** Kubernetes' default `--horizontal-pod-autoscaler-tolerance`. */
export const TOLERANCE = 0.1;
const FULLY_USED_PERCENT = 100;
// Percentages such as 66 / 60 are not exact in binary; without this slack a value exactly on the
// tolerance boundary, or a product that is exactly a whole count, would round the wrong way.
const EPSILON = 1e-9;

export function decideReplicas(input: AutoscaleInput): AutoscaleDecision {
  const { spec, current, now } = input;
  const kept = input.memory.recommendations.filter((r) => r.at > now - longestWindowMs(spec));
  const load = tallyLoad(input.replicas, current);
  const averageCpu = load.samples.length > 0 ? mean(load.samples) : undefined;
  const decision = (desired: number, reason: string, recommendations: Recommendation[]): AutoscaleDecision => ({
    desired,
    current,
    averageCpu,
    reason,
    memory: { recommendations },
  });

  if (current < spec.min) return decision(spec.min, `current ${current} below min ${spec.min}: ${current} -> ${spec.min}`, kept);
  if (current > spec.max) return decision(spec.max, `current ${current} above max ${spec.max}: ${current} -> ${spec.max}`, kept);
  if (averageCpu === undefined) {
    return decision(current, `no cpu samples from ready replicas (${load.ready} of ${current} ready): hold at ${current}`, kept);
  }

  const wanted = recommend(spec, current, load, averageCpu);
  const recommended = clamp(wanted.replicas, spec);
  const recommendations = [...kept, { at: now, replicas: recommended }];
  if (wanted.replicas === current) return decision(current, wanted.why, recommendations);
  if (recommended === current) {
    const bound = wanted.replicas > current ? `max ${spec.max}` : `min ${spec.min}`;
    return decision(current, `${wanted.why}: already at ${bound}`, recommendations);
  }
  const clampNote = recommended === wanted.replicas ? '' : recommended === spec.max ? ` (capped at max ${spec.max})` : ` (raised to min ${spec.min})`;

  const window = stabilize(spec, current, recommended, kept, now);
  if (window.replicas === recommended) {
    return decision(recommended, `${wanted.why}: ${current} -> ${recommended}${clampNote}`, recommendations);
  }
  const held = window.replicas === current ? 'held' : 'limited';
  const note =
    recommended > current
      ? `scale-up ${held} by stabilization window (lowest recommendation ${window.upFloor} in last ${seconds(spec.scaleUpStabilizationMs)})`
      : `scale-down ${held} by stabilization window (highest recommendation ${window.downCeiling} in last ${seconds(spec.scaleDownStabilizationMs)})`;
  const change = window.replicas === current ? `hold at ${current}` : `${current} -> ${window.replicas}`;
  return decision(window.replicas, `${wanted.why}: ${change}, ${note}`, recommendations);
}

interface Load {
  /** CPU of the ready replicas that have a sample. */
  samples: number[];
  ready: number;
  /** Replicas whose CPU is unknown or not yet meaningful: not ready, no sample, or not observed. */
  unknown: number;
}

function tallyLoad(replicas: ReplicaCpu[], current: number): Load {
  const samples: number[] = [];
  let ready = 0;
  for (const replica of replicas) {
    if (!replica.ready) continue;
    ready += 1;
    if (replica.cpuPercent !== undefined) samples.push(replica.cpuPercent);
  }
  const observed = replicas.length;
  return { samples, ready, unknown: observed - samples.length + Math.max(0, current - observed) };
}

/** The metric's recommendation before bounds and stabilization; `why` explains it. */
function recommend(spec: Autoscale, current: number, load: Load, average: number): { replicas: number; why: string } {
  const { target, scaleUpAbove, scaleDownBelow } = spec.cpu;
  const hold = (why: string) => ({ replicas: current, why });
  if (withinTolerance(average, target)) return hold(`within tolerance (cpu ${pct(average)}, target ${pct(target)})`);

  const up = average > target;
  const counted = load.unknown === 0 ? `(${load.samples.length} of ${current} ready)` : `(${load.samples.length} of ${current} ready with samples)`;
  const comparison = `cpu ${pct(average)} ${up ? '>' : '<'} target ${pct(target)}`;
  if (up && scaleUpAbove !== undefined && average <= scaleUpAbove) {
    return hold(`${comparison} but not above scale-up threshold ${pct(scaleUpAbove)} ${counted}: hold at ${current}`);
  }
  if (!up && scaleDownBelow !== undefined && average >= scaleDownBelow) {
    return hold(`${comparison} but not below scale-down threshold ${pct(scaleDownBelow)} ${counted}: hold at ${current}`);
  }

  let why = `${comparison} ${counted}`;
  let adjusted = average;
  if (load.unknown > 0) {
    const fill = up ? 0 : Math.max(FULLY_USED_PERCENT, target);
    adjusted = (sum(load.samples) + fill * load.unknown) / (load.samples.length + load.unknown);
    why += `; counting the other ${load.unknown} at ${pct(fill)} gives cpu ${pct(adjusted)}`;
    if (withinTolerance(adjusted, target) || adjusted > target !== up) return hold(`${why}: hold at ${current}`);
  }

  const replicas = Math.ceil((current * adjusted) / target - EPSILON);
  // Rounding up can leave a small scale-down at the current count.
  return replicas === current ? hold(`${why}: still needs ${current}, hold at ${current}`) : { replicas, why };
}

/**
 * HPA's behaviour stabilization: start from the current count, rise no higher than the lowest
 * recommendation in the scale-up window, fall no lower than the highest in the scale-down window.
 * `latest` is part of both windows.
 */
function stabilize(spec: Autoscale, current: number, latest: number, earlier: Recommendation[], now: number) {
  let upFloor = latest;
  let downCeiling = latest;
  for (const r of earlier) {
    if (r.at > now - spec.scaleUpStabilizationMs) upFloor = Math.min(upFloor, r.replicas);
    if (r.at > now - spec.scaleDownStabilizationMs) downCeiling = Math.max(downCeiling, r.replicas);
  }
  return { replicas: Math.min(Math.max(current, upFloor), downCeiling), upFloor, downCeiling };
}

function withinTolerance(average: number, target: number): boolean {
  return Math.abs(average / target - 1) <= TOLERANCE + EPSILON;
}

function longestWindowMs(spec: Autoscale): number {
  return Math.max(spec.scaleUpStabilizationMs, spec.scaleDownStabilizationMs);
}

function clamp(replicas: number, spec: Autoscale): number {
  return Math.min(spec.max, Math.max(spec.min, replicas));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: number[]): number {
  return sum(values) / values.length;
}

function pct(value: number): string {
  return `${Math.round(value)}%`;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
