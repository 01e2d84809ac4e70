// depends_on -> init containers.
//
// Kubernetes starts pods in no order. A `service_healthy` dependency becomes an init container that
// waits until the dependency's Service accepts a TCP connection: a ClusterIP Service forwards only
// to ready pods, and readiness is the healthcheck, so this is "healthy" as composed means it. Unlike
// composed, the wait holds only when the pod starts: a dependency that turns unhealthy later does
// not stop or restart its dependents.
import type { Service } from '../../compose/model.js';
import { servicePath, type ExportContext } from './context.js';
import type { Container } from './manifest.js';
import { listenPorts } from './ports.js';

/** Small, everywhere, and its `nc` does a plain TCP check. */
const WAIT_IMAGE = 'busybox:1.36';
const RETRY_SECONDS = 2;

export function waitContainers(ctx: ExportContext, service: Service): Container[] {
  const out: Container[] = [];
  for (const depName of Object.keys(service.dependsOn).sort()) {
    const dep = service.dependsOn[depName]!;
    const target = ctx.project.services[depName];
    const path = servicePath(service, `depends_on.${depName}`);
    // A dependency that is not part of the project (`required: false`, or in an inactive profile).
    if (!target) continue;
    if (dep.restart) ctx.warnings.add(`${path}.restart`, `not carried over: ${service.name} is not restarted when ${depName} is replaced`);
    if (dep.condition === 'service_completed_successfully') {
      ctx.warnings.add(path, `not carried over: ${service.name} does not wait for ${depName} to complete (an init container cannot see a Job's outcome without API access)`);
      continue;
    }
    if (dep.condition !== 'service_healthy') continue;
    const port = listenPorts(target).find((p) => p.protocol === 'TCP');
    const host = ctx.names.services.get(depName);
    if (!port) {
      ctx.warnings.add(path, `not carried over: ${depName} declares no TCP port to wait on (list the port it serves under its expose)`);
      continue;
    }
    out.push({
      name: `wait-for-${host}`,
      image: WAIT_IMAGE,
      command: ['sh', '-c', `until nc -z -w ${RETRY_SECONDS} ${host} ${port.port}; do echo waiting for ${host}:${port.port}; sleep ${RETRY_SECONDS}; done`],
    });
  }
  return out;
}
