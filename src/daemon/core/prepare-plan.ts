// What a project needs before any replica exists, as a plan: each service's image (pulled or built
// per pull_policy, or per `up --pull`), its networks and its named volumes, in that order, sorted by
// name so the plan prints the same every time. Images come first, as compose's `up` pulls before it
// creates: an image that cannot be had stops the load before anything exists. Pure: lifecycle/
// carries it out through the executor.
import type { Project, PullPolicy } from '../../compose/model.js';
import type { PullOverride } from '../../protocol/api.js';

export type PrepareOperation =
  | { kind: 'ensure-network'; key: string; name: string; cause: string }
  | { kind: 'ensure-volume'; key: string; name: string; cause: string }
  | { kind: 'ensure-image'; service: string; image: string; policy: PullPolicy; cause: string };

/**
 * `only`: the services `up SERVICE...` starts; the images of the others are left as they are.
 * `pull`: `up --pull`, in place of every service's pull_policy (compose's flag does the same).
 */
export function planPrepare(project: Project, only?: ReadonlySet<string>, pull?: PullOverride): PrepareOperation[] {
  const plan: PrepareOperation[] = [];
  for (const [name, service] of sorted(project.services)) {
    if (only && !only.has(name)) continue;
    const policy = pull ?? service.pullPolicy;
    plan.push({ kind: 'ensure-image', service: name, image: service.image, policy, cause: pull ? `--pull ${pull}` : `pull_policy ${policy}` });
  }
  for (const [key, network] of sorted(project.networks)) {
    plan.push({ kind: 'ensure-network', key, name: network.name, cause: network.external ? 'checking (external)' : 'creating' });
  }
  for (const [key, volume] of sorted(project.volumes)) {
    plan.push({ kind: 'ensure-volume', key, name: volume.name, cause: volume.external ? 'checking (external)' : 'creating' });
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
