// ObservedState of one service, built from the containers that carry its labels. The engine is the
// source of truth: nothing here is remembered between reconciles.
import type { ContainerDetails, ContainerSummary } from '../ports/runtime.js';
import { isSteppedAsideName, LABEL_NUMBER, replicaName, surgeName } from './labels.js';

export interface ObservedReplica {
  number: number;
  container: ContainerSummary;
  /** Present for containers that are not running or are unhealthy (the only ones reconcile inspects). */
  details?: ContainerDetails;
}

export interface ObservedService {
  /** The container holding each replica's name, by replica number. */
  replicas: Map<number, ObservedReplica>;
  /** Roll-out surge containers (`<replica name>-next`), by the replica number they will replace. */
  surges: Map<number, ObservedReplica>;
  /** Containers of the service that hold no replica name (roll-out leftovers, bad labels): removed. */
  strays: ContainerSummary[];
  /**
   * Old containers the engine could not remove, moved aside under steppedAsideName: not replicas,
   * not duplicates; their removal is retried with a backoff of its own (core/stuck-removal.ts).
   */
  stuck: ContainerSummary[];
}

/** Ready: running and, where it has a healthcheck, healthy. */
export function isReadyContainer(container: ContainerSummary): boolean {
  return container.state === 'running' && (container.health === 'none' || container.health === 'healthy');
}

export function isReady(replica: ObservedReplica): boolean {
  return isReadyContainer(replica.container);
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
  const surges = new Map<number, ObservedReplica>();
  const strays: ContainerSummary[] = [];
  const stuck: ContainerSummary[] = [];
  const sorted = [...containers].sort((a, b) => a.name.localeCompare(b.name) || a.createdAt - b.createdAt);
  for (const container of sorted) {
    const number = Number(container.labels[LABEL_NUMBER]);
    const valid = Number.isInteger(number) && number > 0;
    const observed = { number, container, details: details.get(container.id) };
    if (valid && container.name === replicaName(project, service, number)) replicas.set(number, observed);
    else if (valid && container.name === surgeName(project, service, number) && !surges.has(number)) surges.set(number, observed);
    else if (valid && isSteppedAsideName(container.name, project, service, number)) stuck.push(container);
    else strays.push(container);
  }
  return { replicas, surges, strays, stuck };
}
