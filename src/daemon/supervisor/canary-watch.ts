// The supervisor's side of a canary roll-out (core/canary.ts decides): each sync of a service
// whose roll-out is watched with a canary weights the canary in the balancer, says in the roll-out
// status and the events what is being watched, looks again every second while it is, and hands
// back the failure the balancer saw (refused or reset connections) before the roll-out goes on.
import { canaryErrors, watchedCanary } from '../core/canary.js';
import { collectObserved } from '../core/observed.js';
import type { RolloutRecord } from '../core/rollout-outcome.js';
import type { ContainerSummary } from '../ports/runtime.js';
import type { ProjectView } from '../state/state-store.js';
import { key } from './service-key.js';
import type { WorkerHost } from './service-worker.js';

/** How often a watched canary's connection errors are looked at. */
const CANARY_LOOK_MS = 1_000;

/** Sets the service's backends; returns why the canary failed, if the balancer saw it fail. */
export function followCanary(host: WorkerHost, record: ProjectView, serviceName: string, mine: readonly ContainerSummary[]): string | undefined {
  const { balancers, clock } = host.deps;
  const intent = host.registry.intentFor(record, serviceName);
  const now = clock.now();
  const observed = collectObserved(record.name, serviceName, [...mine], new Map());
  const target = intent?.canary && watchedCanary(intent.canary, intent.configHash, [...observed.replicas.values(), ...observed.surges.values()], now);
  balancers?.setBackends(record.project, serviceName, mine, target ? { containerId: target.containerId, weight: target.weight } : undefined);
  const rollout = record.rollouts[serviceName];
  if (!target || !intent?.canary) {
    if (rollout?.state === 'rolling-out' && rollout.canary) announce(host, record, serviceName, { ...rollout, canary: undefined, message: `canary ${rollout.canary} passed; rolling out the rest`, at: now });
    return undefined;
  }
  const failure = balancers && canaryErrors(intent.canary, target, balancers.errorsOf(record.name, serviceName, target.containerId));
  if (failure) return failure;
  if (rollout && rollout.canary !== target.name) {
    const message = `canary ${target.name} takes ${target.weight}% of new connections until ${new Date(target.until).toISOString()}`;
    announce(host, record, serviceName, { ...rollout, canary: target.name, message, at: now });
  }
  host.enqueue(key(record.name, serviceName), now + CANARY_LOOK_MS);
  return undefined;
}

function announce(host: WorkerHost, record: ProjectView, serviceName: string, rollout: RolloutRecord): void {
  if (host.registry.setRollout(record, serviceName, rollout)) host.emit({ project: record.name, service: serviceName, type: 'rollout', message: rollout.message });
}
