// The supervisor's side of a canary roll-out (core/canary.ts decides): each sync of a service
// whose roll-out is watched with a canary weights the canary in the balancer, says in the roll-out
// status and the events what is being watched, looks again every second while it is, and hands
// back the failure the balancer saw (refused or reset connections) before the roll-out goes on.
import { canaryErrors, watchedCanary } from '../core/canary.js';
import { collectObserved } from '../core/observed.js';
import type { RolloutRecord } from '../core/rollout-outcome.js';
import type { ServiceIntent } from '../core/service-intent.js';
import type { ContainerSummary } from '../ports/runtime.js';
import type { ProjectView } from '../state/state-store.js';
import { key } from './service-key.js';
import type { WorkerHost } from './worker-host.js';

/** How often a watched canary's connection errors are looked at. */
const CANARY_LOOK_MS = 1_000;

/** Sets the service's backends; returns why the canary failed, if the balancer saw it fail. */
export function followCanary(host: WorkerHost, record: ProjectView, serviceName: string, intent: ServiceIntent | undefined, mine: readonly ContainerSummary[]): string | undefined {
  const { balancers, clock } = host.deps;
  const canary = intent?.canary;
  // Every sync passes here: a service with no canary to watch only has its backends set.
  if (!intent || !canary) {
    balancers?.setBackends(record.project, serviceName, mine, undefined);
    return undefined;
  }
  const now = clock.now();
  const observed = collectObserved(record.name, serviceName, [...mine], new Map());
  const target = watchedCanary(canary, intent.configHash, [...observed.replicas.values(), ...observed.surges.values()], now);
  const watching = target !== undefined && now < target.until;
  balancers?.setBackends(record.project, serviceName, mine, target && watching ? { containerId: target.containerId, weight: target.weight } : undefined);
  const rollout = record.rollouts[serviceName];
  if (!rollout) return undefined;
  // Looked at even once its time is up: a sync busy promoting may start after the window ended.
  const failure = target && balancers && (watching || rollout.canary) ? canaryErrors(canary.spec, target, balancers.errorsOf(record.name, serviceName, target.containerId)) : undefined;
  if (failure) return failure;
  if (watching && rollout.canary !== target.name) {
    const message = `canary ${target.name} takes ${target.weight}% of new connections until ${new Date(target.until).toISOString()}`;
    announce(host, record, serviceName, { ...rollout, canary: target.name, canarySince: now, message, at: now });
  }
  if (watching) host.enqueue(key(record.name, serviceName), Math.min(now + CANARY_LOOK_MS, target.until));
  else if (rollout.canary && rollout.canarySince !== undefined && now >= rollout.canarySince + canary.spec.durationMs) {
    announce(host, record, serviceName, { ...rollout, message: `canary ${rollout.canary} passed; rolling out the rest`, at: now, canary: undefined });
  }
  return undefined;
}

function announce(host: WorkerHost, record: ProjectView, serviceName: string, rollout: RolloutRecord): void {
  if (host.registry.setRollout(record, serviceName, rollout)) host.emit({ project: record.name, service: serviceName, type: 'rollout', message: rollout.message });
}
