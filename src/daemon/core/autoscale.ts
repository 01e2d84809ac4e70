// The autoscaling decision for one service: how many replicas it should run now, and why.
// Pure: the time is a parameter, and the recent recommendations are passed in and handed back.
//
// Modelled on Kubernetes' HorizontalPodAutoscaler (replica_calculator.go and the v2 behaviour
// stabilization), in this order:
//   1. A count outside [min, max] (a `composed scale` or an edited file) is corrected at once.
//   2. Per metric (cpu, memory, connections, requests), the average over ready replicas with a
//      sample sets the direction. A metric without any such sample recommends nothing (HPA: "did
//      not receive metrics for any ready pods"); with none at all nothing is decided.
//   3. Hold within the tolerance (|average / target - 1| <= 0.1), and unless the average is past
//      `scaleUpAbove` / `scaleDownBelow` when those are given.
//   4. Replicas that are not ready, lack a sample, or are not observed at all are then counted
//      conservatively: as 0 % when scaling up, so they never push the count up, and as fully
//      used when scaling down. If that brings the average within tolerance or across the target,
//      hold: filling in the unknowns never reverses the direction (HPA does the same).
//   5. recommendation = ceil(current x average / target); with several metrics the highest wins,
//      and a scale-down waits while any metric has no samples (HPA: "not scaling down"); clamped
//      to [min, max]. The decision names the metric that drove it.
//   6. Stabilization: the count goes no higher than the lowest recommendation within the
//      scale-up window and no lower than the highest within the scale-down window, so a spike
//      (or a dip) shorter than the window never moves it, and nothing flaps.
//
//   7. At 0 replicas (min 0) no metric has samples: the service wakes to 1 when the balancer holds
//      a connection for it (KEDA's activation), and a metric of exactly 0 can bring it to 0.
//
// Where this differs from HPA, on purpose:
//   - HPA leaves not-ready pods out of a scale-down; here they count as fully used, like missing
//     samples, so a service never shrinks because its new replicas are still starting.
//   - For cpu and memory, "fully used" is 100 % of the limit (HPA's resource-metric code fills in 100 % of the request;
//     its docs say "100 % of the desired value"); never less than the target, so that with a
//     target above 100 % (no limit, several cores) an unknown replica cannot pull the count down.
//     For connections and requests an unknown replica counts at the target, as HPA fills in
//     missing pods of a non-resource metric.
//   - The recommendation is multiplied by `current` (the formula) where HPA multiplies by
//     the number of pods that had samples; they agree once every replica is accounted for.
import type { Autoscale } from '../../compose/model.js';

export type MetricName = 'cpu' | 'memory' | 'connections' | 'requests';

export interface ReplicaLoad {
  number: number;
  ready: boolean;
  /** Percent of its CPU limit, or of one core without a limit; undefined before the first sample. */
  cpuPercent?: number;
  /** Percent of the service's memory limit. */
  memoryPercent?: number;
  /** Connections open through the balancer now. */
  connections?: number;
  /** New connections per second through the balancer over the last interval. */
  requestsPerSecond?: number;
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

export interface MetricReading {
  metric: MetricName;
  target: number;
  /** Average over ready replicas with a sample; undefined when there is none. */
  average?: number;
}

export interface AutoscaleDecision {
  desired: number;
  current: number;
  /** Average CPU over ready replicas with a sample; undefined when there is none or cpu is not a metric. */
  averageCpu?: number;
  /** Every configured metric, in the order cpu, memory, connections, requests. */
  metrics: MetricReading[];
  /** The metric whose recommendation won; undefined when no metric decided (bounds, no samples, waking). */
  metric?: MetricName;
  reason: string;
  /** Hand back on the next decision for this service. */
  memory: AutoscaleMemory;
}

export interface AutoscaleInput {
  spec: Autoscale;
  /** The count the daemon keeps the service at. */
  current: number;
  /** The replicas counted in `current`; those not listed (not created yet) count as not ready. */
  replicas: ReplicaLoad[];
  /** Connections the balancer holds for the service because it has no replica to give them to. */
  waiting?: number;
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

interface Metric {
  name: MetricName;
  value: (replica: ReplicaLoad) => number | undefined;
  /** What an unknown replica counts as when the metric says scale down. */
  fullyUsed: (target: number) => number;
  show: (value: number) => string;
}

const percentOfLimit = (target: number) => Math.max(FULLY_USED_PERCENT, target);
const atTarget = (target: number) => target;

const METRICS: readonly Metric[] = [
  { name: 'cpu', value: (r) => r.cpuPercent, fullyUsed: percentOfLimit, show: pct },
  { name: 'memory', value: (r) => r.memoryPercent, fullyUsed: percentOfLimit, show: pct },
  { name: 'connections', value: (r) => r.connections, fullyUsed: atTarget, show: count },
  { name: 'requests', value: (r) => r.requestsPerSecond, fullyUsed: atTarget, show: (v) => `${count(v)}/s` },
];

interface Reading {
  metric: Metric;
  target: number;
  scaleUpAbove?: number;
  scaleDownBelow?: number;
  load: Load;
  average?: number;
}

export function decideReplicas(input: AutoscaleInput): AutoscaleDecision {
  const { spec, current, now } = input;
  const kept = input.memory.recommendations.filter((r) => r.at > now - longestWindowMs(spec));
  const readings = readMetrics(spec, input.replicas, current);
  const metrics = readings.map((r) => ({ metric: r.metric.name, target: r.target, ...(r.average !== undefined ? { average: r.average } : {}) }));
  const averageCpu = readings.find((r) => r.metric.name === 'cpu')?.average;
  const decision = (desired: number, reason: string, recommendations: Recommendation[], metric?: MetricName): AutoscaleDecision => ({
    desired,
    current,
    averageCpu,
    metrics,
    ...(metric ? { metric } : {}),
    reason,
    memory: { recommendations },
  });

  if (current < spec.min) return decision(spec.min, `current ${current} below min ${spec.min}: ${current} -> ${spec.min}`, kept);
  if (current > spec.max) return decision(spec.max, `current ${current} above max ${spec.max}: ${current} -> ${spec.max}`, kept);
  if (current === 0) {
    const waiting = input.waiting ?? 0;
    if (waiting === 0) return decision(0, 'scaled to zero: no connection waiting, hold at 0', [...kept, { at: now, replicas: 0 }]);
    const awake = Math.min(spec.max, 1);
    return decision(awake, `${waiting} connection${waiting === 1 ? '' : 's'} waiting at 0 replicas: 0 -> ${awake}`, [...kept, { at: now, replicas: awake }]);
  }
  const sampled = readings.filter((r) => r.average !== undefined);
  if (sampled.length === 0) {
    const names = readings.map((r) => r.metric.name).join('/');
    const ready = readings[0]?.load.ready ?? 0;
    return decision(current, `no ${names} samples from ready replicas (${ready} of ${current} ready): hold at ${current}`, kept);
  }

  // HPA: the highest recommendation of all metrics; the first metric wins a tie.
  let wanted = { ...recommend(sampled[0]!, current), metric: sampled[0]!.metric.name };
  for (const reading of sampled.slice(1)) {
    const other = recommend(reading, current);
    if (other.replicas > wanted.replicas) wanted = { ...other, metric: reading.metric.name };
  }
  const unsampled = readings.filter((r) => r.average === undefined).map((r) => r.metric.name);
  if (wanted.replicas < current && unsampled.length > 0) {
    const why = `${wanted.why}, but no ${unsampled.join('/')} samples: no scale-down, hold at ${current}`;
    return decision(current, why, [...kept, { at: now, replicas: current }], wanted.metric);
  }
  const recommended = clamp(wanted.replicas, spec);
  const recommendations = [...kept, { at: now, replicas: recommended }];
  if (wanted.replicas === current) return decision(current, wanted.why, recommendations, wanted.metric);
  if (recommended === current) {
    const bound = wanted.replicas > current ? `max ${spec.max}` : `min ${spec.min}`;
    return decision(current, `${wanted.why}: already at ${bound}`, recommendations, wanted.metric);
  }
  const clampNote = recommended === wanted.replicas ? '' : recommended === spec.max ? ` (capped at max ${spec.max})` : ` (raised to min ${spec.min})`;

  const window = stabilize(spec, current, recommended, kept, now);
  if (window.replicas === recommended) {
    return decision(recommended, `${wanted.why}: ${current} -> ${recommended}${clampNote}`, recommendations, wanted.metric);
  }
  const held = window.replicas === current ? 'held' : 'limited';
  const note =
    recommended > current
      ? `scale-up ${held} by stabilization window (lowest recommendation ${window.upFloor} in last ${seconds(spec.scaleUpStabilizationMs)})`
      : `scale-down ${held} by stabilization window (highest recommendation ${window.downCeiling} in last ${seconds(spec.scaleDownStabilizationMs)})`;
  const change = window.replicas === current ? `hold at ${current}` : `${current} -> ${window.replicas}`;
  return decision(window.replicas, `${wanted.why}: ${change}, ${note}`, recommendations, wanted.metric);
}

interface Load {
  /** The metric's values of the ready replicas that have a sample. */
  samples: number[];
  ready: number;
  /** Replicas whose value is unknown or not yet meaningful: not ready, no sample, or not observed. */
  unknown: number;
}

function readMetrics(spec: Autoscale, replicas: ReplicaLoad[], current: number): Reading[] {
  const readings: Reading[] = [];
  for (const metric of METRICS) {
    const target = spec[metric.name];
    if (!target) continue;
    const load = tallyLoad(replicas, current, metric);
    readings.push({ metric, ...target, load, ...(load.samples.length > 0 ? { average: mean(load.samples) } : {}) });
  }
  return readings;
}

function tallyLoad(replicas: ReplicaLoad[], current: number, metric: Metric): Load {
  const samples: number[] = [];
  let ready = 0;
  for (const replica of replicas) {
    if (!replica.ready) continue;
    ready += 1;
    const value = metric.value(replica);
    if (value !== undefined) samples.push(value);
  }
  const observed = replicas.length;
  return { samples, ready, unknown: observed - samples.length + Math.max(0, current - observed) };
}

/** One metric's recommendation before bounds and stabilization; `why` explains it. */
function recommend(reading: Reading, current: number): { replicas: number; why: string } {
  const { metric, target, scaleUpAbove, scaleDownBelow, load } = reading;
  const average = reading.average!;
  const name = metric.name;
  const hold = (why: string) => ({ replicas: current, why });
  if (withinTolerance(average, target)) return hold(`within tolerance (${name} ${metric.show(average)}, target ${metric.show(target)})`);

  const up = average > target;
  const counted = load.unknown === 0 ? `(${load.samples.length} of ${current} ready)` : `(${load.samples.length} of ${current} ready with samples)`;
  const comparison = `${name} ${metric.show(average)} ${up ? '>' : '<'} target ${metric.show(target)}`;
  if (up && scaleUpAbove !== undefined && average <= scaleUpAbove) {
    return hold(`${comparison} but not above scale-up threshold ${metric.show(scaleUpAbove)} ${counted}: hold at ${current}`);
  }
  if (!up && scaleDownBelow !== undefined && average >= scaleDownBelow) {
    return hold(`${comparison} but not below scale-down threshold ${metric.show(scaleDownBelow)} ${counted}: hold at ${current}`);
  }

  let why = `${comparison} ${counted}`;
  let adjusted = average;
  if (load.unknown > 0) {
    const fill = up ? 0 : metric.fullyUsed(target);
    adjusted = (sum(load.samples) + fill * load.unknown) / (load.samples.length + load.unknown);
    why += `; counting the other ${load.unknown} at ${metric.show(fill)} gives ${name} ${metric.show(adjusted)}`;
    if (withinTolerance(adjusted, target) || adjusted > target !== up) return hold(`${why}: hold at ${current}`);
  }

  const replicas = Math.max(0, Math.ceil((current * adjusted) / target - EPSILON));
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

function count(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}
