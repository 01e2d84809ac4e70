// ObservedState of one service, built from the containers that carry its labels. The engine is the
// source of truth: nothing here is remembered between reconciles.
import type { ContainerDetails, ContainerSummary } from '../ports/runtime.js';
import { LABEL_NUMBER, replicaName } from './labels.js';

export interface ObservedReplica {
  number: number;
  container: ContainerSummary;
  /** Present for containers that are not running or are unhealthy (the only ones reconcile inspects). */
  details?: ContainerDetails;
}

export interface ObservedService {
  /** The container holding each replica's name, by replica number. */
  replicas: Map<number, ObservedReplica>;
  /** Containers of the service that hold no replica name (roll-out leftovers, bad labels): removed. */
  strays: ContainerSummary[];
}

/** Containers whose state reconcile needs details for (exit code, OOM, health log). */
export function needsDetails(container: ContainerSummary): boolean {
  return container.state !== 'running' || container.health === 'unhealthy';
}

export function collectObserved(
  project: string,
  service: string,
  containers: readonly ContainerSummary[],
  details: ReadonlyMap<string, ContainerDetails>,
): ObservedService {
  const replicas = new Map<number, ObservedReplica>();
  const strays: ContainerSummary[] = [];
  const sorted = [...containers].sort((a, b) => a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
  for (const container of sorted) {
    const number = Number(container.labels[LABEL_NUMBER]);
    const holdsName = Number.isInteger(number) && number > 0 && container.name === replicaName(project, service, number);
    if (!holdsName) {
      strays.push(container);
      continue;
    }
    replicas.set(number, { number, container, details: details.get(container.id) });
  }
  return { replicas, strays };
}
