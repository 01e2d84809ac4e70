// deploy.resources -> container limits and requests.
//
// composed measures an autoscaled service's CPU against its CPU limit; a HorizontalPodAutoscaler
// measures against the CPU request. The request is therefore the limit whenever there is one, so
// the same percentage means the same load in both places.
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import type { Container } from './manifest.js';
import { bytesQuantity, cpuQuantity } from './quantity.js';

export function containerResources(ctx: ExportContext, service: Service): Container['resources'] | undefined {
  const { limits, reservations } = service.resources;
  const limitsOut: Record<string, string> = {};
  const requests: Record<string, string> = {};
  // Docker reads cpus: 0 as "no limit".
  const cpuLimit = limits.cpus ? limits.cpus : undefined;
  if (cpuLimit !== undefined) limitsOut.cpu = cpuQuantity(cpuLimit);
  if (limits.memoryBytes) limitsOut.memory = bytesQuantity(limits.memoryBytes);

  const cpuRequest = cpuLimit ?? (reservations.cpus || undefined);
  if (cpuRequest !== undefined) requests.cpu = cpuQuantity(cpuRequest);
  if (cpuLimit !== undefined && reservations.cpus && reservations.cpus !== cpuLimit) {
    ctx.warnings.add(
      servicePath(service, 'deploy.resources.reservations.cpus'),
      `not carried over: the CPU request is the limit (${cpuQuantity(cpuLimit)}) so that autoscaling percentages mean what they mean in composed`,
    );
  }
  const memoryRequest = reservations.memoryBytes || limits.memoryBytes;
  if (memoryRequest) requests.memory = bytesQuantity(memoryRequest);

  if (limits.pids !== undefined && limits.pids > 0) {
    ctx.warnings.add(servicePath(service, 'deploy.resources.limits.pids'), 'not carried over: Kubernetes sets the PID limit per node, not per container');
  }
  if (reservations.pids !== undefined) {
    ctx.warnings.add(servicePath(service, 'deploy.resources.reservations.pids'), 'not carried over');
  }
  if (Object.keys(limitsOut).length === 0 && Object.keys(requests).length === 0) return undefined;
  return {
    ...(Object.keys(limitsOut).length > 0 ? { limits: limitsOut } : {}),
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
  };
}
