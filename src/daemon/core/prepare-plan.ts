// What a project needs before any replica exists, as a plan: its networks, its named volumes and
// each service's image (pulled or built per pull_policy), in that order, sorted by name so the
// plan prints the same every time. Pure: lifecycle/ carries it out through the executor.
import type { Project } from '../../compose/model.js';

export type PrepareOperation =
  | { kind: 'ensure-network'; key: string; name: string; cause: string }
  | { kind: 'ensure-volume'; key: string; name: string; cause: string }
  | { kind: 'ensure-image'; service: string; image: string; cause: string };

/** `only`: the services `up SERVICE...` starts; the images of the others are left as they are. */
export function planPrepare(project: Project, only?: ReadonlySet<string>): PrepareOperation[] {
  const plan: PrepareOperation[] = [];
  for (const [key, network] of sorted(project.networks)) {
    plan.push({ kind: 'ensure-network', key, name: network.name, cause: network.external ? 'checking (external)' : 'creating' });
  }
  for (const [key, volume] of sorted(project.volumes)) {
    plan.push({ kind: 'ensure-volume', key, name: volume.name, cause: volume.external ? 'checking (external)' : 'creating' });
  }
  for (const [name, service] of sorted(project.services)) {
    if (only && !only.has(name)) continue;
    plan.push({ kind: 'ensure-image', service: name, image: service.image, cause: `pull_policy ${service.pullPolicy}` });
  }
  return plan;
}

/** The resource an operation prepares, as progress lines name it. */
export function preparedResource(op: PrepareOperation): string {
  return op.kind === 'ensure-network' ? `network ${op.name}` : op.kind === 'ensure-volume' ? `volume ${op.name}` : `service ${op.service}`;
}

export function formatPreparePlan(plan: readonly PrepareOperation[]): string {
  return plan.map((op) => `${op.kind} ${op.kind === 'ensure-image' ? `${op.service} ${op.image}` : op.name} (${op.cause})`).join('\n');
}

function sorted<T>(map: Record<string, T>): Array<[string, T]> {
  return Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
}
