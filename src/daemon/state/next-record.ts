// The record a new config gets (up, a reload): what it keeps of the previous one.
import type { Diagnostic } from '../../compose/errors.js';
import type { Project } from '../../compose/model.js';
import type { LoadRequest } from '../../protocol/api.js';
import type { ReplicaMemory } from '../core/replica-memory.js';
import type { RolloutRecord } from '../core/rollout-outcome.js';
import type { ProjectOwner } from '../access/project-access.js';
import type { ServicePin } from '../core/service-pins.js';
import { keptGenerations } from '../core/rolling-restart.js';
import { STATE_VERSION, type ProjectRecord, type ProjectView } from './state-store.js';

export interface NewConfig {
  load: LoadRequest;
  project: Project;
  configHashes: Record<string, string>;
  rollouts: Record<string, RolloutRecord>;
  warnings: Diagnostic[];
  /** A reload (the file watcher) keeps services stopped with `composed stop` stopped; `up` starts them. */
  reload: boolean;
  /** `up SERVICE...`: the services it starts; the others stay as they were, or not started when new. */
  only?: ReadonlySet<string>;
  /** `up --no-start`: the services it starts are created only, until `composed start`. */
  noStart?: boolean;
  /** The project's owner (its creator, kept by every later up and reload). */
  owner?: ProjectOwner;
  /** The pins that still hold (core/service-pins.ts keepPinned). */
  pins?: Record<string, ServicePin>;
}

export function nextRecord(previous: ProjectView | undefined, next: NewConfig): ProjectRecord {
  const { project } = next;
  const replicas: ProjectRecord['replicas'] = {};
  for (const [service, byNumber] of Object.entries(previous?.replicas ?? {})) replicas[service] = withoutGiveUps(byNumber);
  return {
    version: STATE_VERSION,
    name: project.name,
    load: wholeFile(next.load),
    project,
    configHashes: next.configHashes,
    scale: keptScale(previous, project),
    stopped: stoppedAfter(previous, next),
    restartRequestedAt: { ...previous?.restartRequestedAt },
    // A reload keeps the `-t` of the last stop or restart; an `up` starts afresh.
    ...(next.reload && previous?.stopTimeouts ? { stopTimeouts: { ...previous.stopTimeouts } } : {}),
    createOnly: createOnlyAfter(previous, next),
    replicas,
    rollouts: next.rollouts,
    warnings: next.warnings,
    stuck: { ...previous?.stuck },
    ...(next.owner ? { owner: { ...next.owner, groups: [...next.owner.groups] } } : {}),
    ...(next.pins && Object.keys(next.pins).length > 0 ? { pins: next.pins } : {}),
    ...nonEmpty('restartGenerations', keptGenerations(previous, next.configHashes)),
    // What the tag follower learnt (rejected digests above all) outlasts a reload of the same image.
    ...(previous?.tagFollow ? { tagFollow: keptTagFollow(previous, project) } : {}),
  };
}

function nonEmpty<K extends string, V>(name: K, map: Record<string, V>): { [key in K]?: Record<string, V> } {
  return (Object.keys(map).length > 0 ? { [name]: map } : {}) as { [key in K]?: Record<string, V> };
}

function stoppedAfter(previous: ProjectView | undefined, { project, reload, only }: NewConfig): string[] {
  const before = (previous?.stopped ?? []).filter((s) => project.services[s]);
  if (reload) return before;
  if (!only) return [];
  return Object.keys(project.services)
    .filter((s) => !only.has(s) && (before.includes(s) || !previous?.project.services[s]))
    .sort();
}

function createOnlyAfter(previous: ProjectView | undefined, { project, reload, only, noStart }: NewConfig): string[] {
  const services = Object.keys(project.services);
  if (noStart) return services.filter((s) => !only || only.has(s)).sort();
  return (previous?.createOnly ?? []).filter((s) => project.services[s] && (reload || (only !== undefined && !only.has(s))));
}

/**
 * `up SERVICE...` leaves the file's other services as they are: one supervised before keeps the
 * config it runs (its edit is taken by the next `up` or reload). Changes `project` and `hashes`.
 */
export function keepUnnamed(previous: ProjectView | undefined, project: Project, hashes: Record<string, string>, only: ReadonlySet<string>): void {
  for (const name of Object.keys(project.services)) {
    const kept = previous?.project.services[name];
    const keptHash = previous?.configHashes[name];
    if (only.has(name) || !kept || keptHash === undefined) continue;
    project.services[name] = kept;
    hashes[name] = keptHash;
  }
}

/** What a reload loads again: the whole file, not the services one `up` named nor its `--pull`. */
function wholeFile({ services: _services, noDeps: _noDeps, pull: _pull, ...load }: LoadRequest): LoadRequest {
  return load;
}

/** Keep `composed scale` / autoscaler counts across `up` unless the file's own count changed. */
function keptScale(previous: ProjectView | undefined, project: Project): Record<string, number> {
  const scale: Record<string, number> = {};
  for (const [name, count] of Object.entries(previous?.scale ?? {})) {
    const before = previous?.project.services[name];
    const now = project.services[name];
    if (before && now && before.replicas === now.replicas) scale[name] = count;
  }
  return scale;
}

function keptTagFollow(previous: ProjectView, project: Project): NonNullable<ProjectRecord['tagFollow']> {
  const kept: NonNullable<ProjectRecord['tagFollow']> = {};
  for (const [name, state] of Object.entries(previous.tagFollow ?? {})) if (project.services[name]) kept[name] = state;
  return kept;
}

/** `up` and `restart` give a replica that gave up a fresh start. */
export function withoutGiveUps(byNumber: Readonly<Record<number, ReplicaMemory>>): Record<number, ReplicaMemory> {
  const cleared: Record<number, ReplicaMemory> = {};
  for (const [number, mem] of Object.entries(byNumber)) {
    const gaveUp = mem.handled?.outcome === 'give-up';
    cleared[Number(number)] = gaveUp ? { ...mem, handled: undefined, history: { ...mem.history, consecutive: 0 } } : mem;
  }
  return cleared;
}
