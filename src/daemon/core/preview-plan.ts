// What loading the files would do, without doing it (`up --dry-run`, `composed diff`): the
// services whose config hash changed with the keys that changed, and per replica the operations
// the workers would carry out (create, replace start-first with its drain or stop-first, remove),
// as the printable plan operations the executor runs, plus the networks and volumes to create.
// Pure: the lifecycle gives it the record as it is, the record the load would make, and a listing.
import type { Project, Service } from '../../compose/model.js';
import type { ContainerSummary } from '../ports/runtime.js';
import { changedKeys } from './config-revisions.js';
import { LABEL_CONFIG_HASH, LABEL_SERVICE } from './labels.js';
import { collectObserved } from './observed.js';
import type { Operation } from './plan.js';
import { planPrepare, type PrepareOperation } from './prepare-plan.js';
import { PROMOTE_DRAIN_MS } from './reconcile.js';
import { labelledHash } from './rolling-restart.js';
import { rolloutOrder } from './rollout.js';

export type ServiceChange = 'new' | 'changed' | 'removed' | 'scaled' | 'unchanged';

export interface ServicePreview {
  service: string;
  change: ServiceChange;
  /** Keys of the normalized service that differ from the running config (dotted paths). */
  changedKeys: string[];
  /** Operations in the order the workers take them, one replica after another for a roll-out. */
  operations: Operation[];
}

export interface ProjectPreview {
  project: string;
  /** Networks and volumes the supervised project does not have yet. */
  prepare: PrepareOperation[];
  services: ServicePreview[];
  /** Whether anything would change: the CLI's exit code. */
  changes: boolean;
}

export interface PreviewInput {
  /** The supervised record, absent when the project is not supervised. */
  running?: { project: Project; configHashes: Readonly<Record<string, string>> };
  /** The record the load would make. */
  next: { project: Project; configHashes: Readonly<Record<string, string>>; restartGenerations?: Readonly<Record<string, number>> };
  /** Replicas each service of `next` would run (0 when it stays stopped). */
  wanted: Readonly<Record<string, number>>;
  containers: readonly ContainerSummary[];
}

export function previewPlan({ running, next, wanted, containers }: PreviewInput): ProjectPreview {
  const project = next.project.name;
  const names = [...new Set([...Object.keys(next.project.services), ...Object.keys(running?.project.services ?? {})])].sort();
  const services = names.map((name): ServicePreview => {
    const own = containers.filter((c) => c.labels[LABEL_SERVICE] === name);
    const replicas = [...collectObserved(project, name, own, new Map()).replicas.values()].sort((a, b) => a.number - b.number);
    const service = next.project.services[name];
    if (!service) {
      return { service: name, change: 'removed', changedKeys: [], operations: replicas.map((r) => ({ kind: 'remove', service: name, number: r.number, containerId: r.container.id, cause: 'service left the file' })) };
    }
    const before = running?.project.services[name];
    const hash = next.configHashes[name] ?? '';
    const labelled = labelledHash(next, name);
    const keys = before && running?.configHashes[name] !== hash ? changedKeysOrImage(before, service) : [];
    const count = wanted[name] ?? 0;
    const operations: Operation[] = [];
    for (const r of replicas) {
      if (r.number > count) operations.push({ kind: 'remove', service: name, number: r.number, containerId: r.container.id, cause: `scaled to ${count}` });
      else if (r.container.labels[LABEL_CONFIG_HASH] !== labelled) operations.push(...rollOut(service, r.number, r.container.id, keys));
    }
    const present = new Set(replicas.map((r) => r.number));
    for (let n = 1; n <= count; n++) {
      if (!present.has(n)) operations.push({ kind: 'create', service: name, number: n, cause: before ? 'missing replica' : 'new service', replacement: false });
    }
    const change: ServiceChange = !before ? 'new' : keys.length > 0 ? 'changed' : operations.length > 0 ? 'scaled' : 'unchanged';
    return { service: name, change, changedKeys: keys, operations };
  });
  const prepare = newResources(running?.project, next.project);
  return { project, prepare, services, changes: prepare.length > 0 || services.some((s) => s.change !== 'unchanged' || s.operations.length > 0) };
}

/** A hash that changed with no key changed: the image the tag names was replaced (rebuilt, pulled). */
function changedKeysOrImage(before: Service, after: Service): string[] {
  const keys = changedKeys(before, after);
  return keys.length > 0 ? keys : ['image (another image under the same name: rebuilt, pulled, or not here yet)'];
}

function rollOut(service: Service, number: number, containerId: string, keys: string[]): Operation[] {
  const order = rolloutOrder(service);
  const cause = `config changed${keys.length > 0 ? `: ${keys.join(', ')}` : ''} (roll-out, ${order})`;
  if (order === 'stop-first') return [{ kind: 'replace', service: service.name, number, containerId, cause }];
  return [
    { kind: 'create-surge', service: service.name, number, cause },
    { kind: 'promote', service: service.name, number, containerId, surgeId: '', drainMs: PROMOTE_DRAIN_MS, cause: `once ready; the old container drains ${PROMOTE_DRAIN_MS} ms, then stops` },
  ];
}

/** Networks and named volumes the load would create: those the supervised project does not have. */
function newResources(running: Project | undefined, next: Project): PrepareOperation[] {
  return planPrepare(next).filter((op) => {
    if (op.kind === 'ensure-image' || op.cause !== 'creating') return false;
    return !(op.kind === 'ensure-network' ? running?.networks[op.key] : running?.volumes[op.key]);
  });
}
