// Rules that need the whole project: dependencies between services, profiles, cycles, and the
// replica rules that depend on ports and names.
import { balancedPorts, isFixedHostPort, maxReplicas } from './balanced-ports.js';
import type { Service } from './model.js';
import type { Diagnostics } from './read.js';
import type { NormalizedService } from './service.js';

/**
 * Why a service may not run more than one replica with its ports, or undefined when it may.
 * Several containers cannot bind the same fixed host port: the built-in balancer publishes TCP
 * ports for them (balanced-ports.ts); UDP, SCTP, and `x-composed.balance: false` keep the rule.
 */
export function fixedHostPortConflict(service: Service): string | undefined {
  const replicas = maxReplicas(service);
  if (replicas <= 1) return undefined;
  const balanced = new Set(balancedPorts(service));
  const fixed = service.ports.find((p) => isFixedHostPort(p) && !balanced.has(p));
  if (!fixed) return undefined;
  const why = service.composed.autoscale && service.composed.autoscale.max > service.replicas
    ? `autoscale.max is ${service.composed.autoscale.max}`
    : `it runs ${service.replicas} replicas`;
  const lift =
    fixed.protocol === 'tcp'
      ? 'remove x-composed.balance: false to let the built-in balancer publish it, '
      : `the built-in balancer forwards TCP only, not ${fixed.protocol.toUpperCase()}; `;
  return `host port ${fixed.published}/${fixed.protocol} is fixed but ${why}; replicas cannot share a host port (${lift}publish a range like "8000-8009:${fixed.target}", or only the container port)`;
}

export function validateServices(d: Diagnostics, active: Map<string, NormalizedService>, disabled: ReadonlySet<string>): void {
  for (const name of [...active.keys()].sort()) {
    const { service, where } = active.get(name)!;
    for (const [dep, f] of where.dependsOn) {
      const pos = f.node.pos;
      if (active.has(dep)) continue;
      if (!service.dependsOn[dep]?.required) {
        delete service.dependsOn[dep];
        continue;
      }
      if (disabled.has(dep)) d.error(pos, f.path, `service "${name}" depends on service "${dep}", which is disabled by its profiles (enable a profile of "${dep}" or set required: false)`);
      else d.error(pos, f.path, `service "${name}" depends on undefined service "${dep}"`);
    }
    if (where.networkMode && service.networkMode) {
      const m = /^(service|container):(.*)$/.exec(service.networkMode);
      if (m?.[1] === 'service' && !active.has(m[2]!)) {
        d.error(where.networkMode.node.pos, where.networkMode.path, `network_mode refers to ${disabled.has(m[2]!) ? 'disabled' : 'undefined'} service "${m[2]}"`);
      }
    }
    const conflict = fixedHostPortConflict(service);
    if (conflict && where.ports) d.error(where.ports.keyPos, where.ports.path, conflict);
    if (service.containerName && maxReplicas(service) > 1 && where.containerName) {
      d.error(where.containerName.node.pos, where.containerName.path, `container_name "${service.containerName}" cannot be used by more than one replica`);
    }
  }
  reportDuplicateContainerNames(d, active);
  reportCycles(d, active);
}

function reportDuplicateContainerNames(d: Diagnostics, active: Map<string, NormalizedService>): void {
  const owner = new Map<string, string>();
  for (const name of [...active.keys()].sort()) {
    const { service, where } = active.get(name)!;
    if (!service.containerName || !where.containerName) continue;
    const first = owner.get(service.containerName);
    if (first) d.error(where.containerName.node.pos, where.containerName.path, `container name "${service.containerName}" is already in use by service "${first}"`);
    else owner.set(service.containerName, name);
  }
}

/** Every dependency cycle once, named from its alphabetically first service: `a -> b -> a`. */
function reportCycles(d: Diagnostics, active: Map<string, NormalizedService>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    const deps = Object.keys(active.get(name)!.service.dependsOn).filter((dep) => active.has(dep)).sort();
    for (const dep of deps) {
      if (state.get(dep) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const where = active.get(name)!.where.dependsOn.get(dep)!;
        d.error(where.node.pos, where.path, `dependency cycle detected: ${cycle.join(' -> ')}`);
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...active.keys()].sort()) if (!state.has(name)) visit(name);
}
