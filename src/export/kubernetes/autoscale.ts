// x-composed.autoscale -> a HorizontalPodAutoscaler (autoscaling/v2) with the same bounds, CPU
// target and stabilization windows.
//
// composed reads a replica's CPU relative to its CPU limit, or to one core without one. With a
// limit, the CPU request equals the limit (resources.ts), so averageUtilization is the same
// percentage. Without one, the target is an absolute averageValue: target% of one core.
import type { Service } from '../../compose/model.js';
import { serviceMeta, servicePath, type ExportContext } from './context.js';
import type { HorizontalPodAutoscaler } from './manifest.js';
import { cpuQuantity, seconds } from './quantity.js';
import type { WorkloadKind } from './workload-kind.js';

/** The longest stabilization window the API accepts (one hour). */
const MAX_WINDOW_SECONDS = 3600;

type MetricTarget = NonNullable<NonNullable<HorizontalPodAutoscaler['spec']>['metrics']>[number]['resource'];

export function autoscaler(ctx: ExportContext, service: Service, kind: WorkloadKind): HorizontalPodAutoscaler | undefined {
  const a = service.composed.autoscale;
  if (!a) return undefined;
  const path = servicePath(service, 'x-composed.autoscale');
  if (kind === 'Job') {
    ctx.warnings.add(path, 'not carried over: a Job is not scaled (set restart: always to make the service a Deployment)');
    return undefined;
  }
  for (const metric of ['connections', 'requests'] as const) {
    if (a[metric]) ctx.warnings.add(`${path}.${metric}`, 'not carried over: a cluster counts connections at its ingress or service mesh, not through a metric the autoscaler reads without an adapter');
  }
  const metrics = [...(a.cpu ? [cpuTarget(ctx, service, path)] : []), ...(a.memory ? [memoryTarget(a.memory.target)] : [])];
  if (metrics.length === 0) {
    ctx.warnings.add(path, 'not carried over: none of its metrics has a counterpart the autoscaler reads (cpu, memory)');
    return undefined;
  }
  if (a.min === 0) ctx.warnings.add(`${path}.min`, 'raised to 1: the autoscaler does not scale a workload to zero');
  if (a.cpu?.scaleUpAbove !== undefined) {
    ctx.warnings.add(`${path}.cpu.scale_up_above`, 'not carried over: the autoscaler acts when CPU is more than 10% off the target (the cluster-wide tolerance)');
  }
  if (a.cpu?.scaleDownBelow !== undefined) {
    ctx.warnings.add(`${path}.cpu.scale_down_below`, 'not carried over: the autoscaler acts when CPU is more than 10% off the target (the cluster-wide tolerance)');
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: serviceMeta(ctx, service),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind, name: ctx.names.services.get(service.name) },
      minReplicas: Math.max(1, a.min),
      maxReplicas: a.max,
      metrics: metrics.map((resource) => ({ type: 'Resource', resource })),
      behavior: {
        scaleUp: { stabilizationWindowSeconds: window(ctx, a.scaleUpStabilizationMs, `${path}.scale_up_stabilization`) },
        scaleDown: { stabilizationWindowSeconds: window(ctx, a.scaleDownStabilizationMs, `${path}.scale_down_stabilization`) },
      },
    },
  };
}

function cpuTarget(ctx: ExportContext, service: Service, path: string): MetricTarget {
  const target = service.composed.autoscale!.cpu!.target;
  if (!service.resources.limits.cpus) {
    return { name: 'cpu', target: { type: 'AverageValue', averageValue: cpuQuantity(target / 100) } };
  }
  const percent = Math.round(target);
  if (percent !== target) ctx.warnings.add(`${path}.cpu.target`, `rounded to ${percent}%: the autoscaler takes whole percents`);
  return { name: 'cpu', target: { type: 'Utilization', averageUtilization: percent } };
}

/** composed's memory percent is of the limit; the export requests the limit unless a reservation is set (resources.ts). */
function memoryTarget(target: number): MetricTarget {
  return { name: 'memory', target: { type: 'Utilization', averageUtilization: Math.round(target) } };
}

function window(ctx: ExportContext, ms: number, path: string): number {
  const s = seconds(ms);
  if (s <= MAX_WINDOW_SECONDS) return s;
  ctx.warnings.add(path, `shortened to ${MAX_WINDOW_SECONDS}s, the longest window the autoscaler takes`);
  return MAX_WINDOW_SECONDS;
}
