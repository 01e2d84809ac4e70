// The supervised projects: the one writer of their records. Everyone else reads a record through
// a read-only view and asks for a change by name (scale, stop, start, restart, replica memory,
// roll-out, stuck containers, a new config, what following an image tag learnt); each change is persisted here, writes of one project
// serialized. A change is asked of the record the caller read: when `up`, a reload or `down`
// replaced or removed that record meanwhile, the change is dropped (it was decided on a config
// that no longer runs).
import type { Logger } from 'pino';
import type { Diagnostic } from '../../compose/errors.js';
import type { Service } from '../../compose/model.js';
import { canaryOf } from '../core/canary.js';
import type { ServiceIntent } from '../core/service-intent.js';
import { freshMemory, type ReplicaMemory } from '../core/replica-memory.js';
import type { RolloutRecord } from '../core/rollout-outcome.js';
import type { ServicePin } from '../core/service-pins.js';
import { labelledHash } from '../core/rolling-restart.js';
import type { StuckRemoval } from '../core/stuck-removal.js';
import type { TagFollowState } from '../core/tag-follow.js';
import { withoutGiveUps } from './next-record.js';
import type { ProjectRecord, ProjectView, StateStore, UnreadableState } from './state-store.js';

export interface RegistryDeps {
  store: StateStore;
  logger: Logger;
  /** A state file could not be written: the containers are untouched, the operator is told. */
  onSaveFailed(project: string, error: unknown): void;
}

export class ProjectRegistry {
  private readonly records = new Map<string, ProjectRecord>();
  /** The last reload's errors per project; the previous valid config keeps running meanwhile. */
  private readonly reloadErrors = new Map<string, Diagnostic[]>();
  private readonly saving = new Map<string, Promise<void>>();
  /** Per project, a save queued behind the one writing and not begun yet. */
  private readonly queued = new Map<string, { view: ProjectView; done: Promise<void> }>();

  constructor(private readonly deps: RegistryDeps) {}

  // ---- reading --------------------------------------------------------------------------------

  get(name: string): ProjectView | undefined {
    return this.records.get(name);
  }

  has(name: string): boolean {
    return this.records.has(name);
  }

  /** The supervised projects, by name. */
  all(): ProjectView[] {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get size(): number {
    return this.records.size;
  }

  configErrors(name: string): Diagnostic[] {
    return this.reloadErrors.get(name) ?? [];
  }

  /** What the service's worker aims for: the file's config with the operator's scale, stop and restart. */
  intentFor(record: ProjectView, serviceName: string): ServiceIntent | undefined {
    const service = record.project.services[serviceName];
    if (!service) return undefined;
    return {
      service,
      configHash: labelledHash(record, serviceName),
      replicas: record.scale[serviceName] ?? service.replicas,
      stopped: record.stopped.includes(serviceName),
      restartRequestedAt: record.restartRequestedAt[serviceName],
      stopTimeoutSeconds: record.stopTimeouts?.[serviceName],
      createOnly: record.createOnly?.includes(serviceName),
      rolloutPaused: record.rollouts[serviceName]?.state === 'paused',
      canary: canaryOf(service, record.rollouts[serviceName]),
    };
  }

  /** Whether `record` is still the project's record (not replaced by up or a reload, not down). */
  isCurrent(record: ProjectView): boolean {
    return this.records.get(record.name) === record;
  }

  // ---- whole records --------------------------------------------------------------------------

  /** Reads the persisted projects; returns the files that could not be read. */
  async load(): Promise<UnreadableState[]> {
    await this.deps.store.init();
    const loaded = await this.deps.store.loadAll();
    for (const record of loaded.records) this.records.set(record.name, record);
    return loaded.problems;
  }

  /** A new config is supervised (up, a reload): it replaces the record and clears the reload's errors. */
  async adopt(record: ProjectRecord): Promise<void> {
    this.records.set(record.name, record);
    this.reloadErrors.delete(record.name);
    await this.save(record);
  }

  /** A project rebuilt from container labels; its unreadable state file is kept aside. Says where. */
  async adoptRecovered(record: ProjectRecord, now: number): Promise<string> {
    this.records.set(record.name, record);
    return `kept as ${await this.deps.store.replaceUnreadable(record, now)}`;
  }

  /** A reload failed: the previous config keeps running, status shows why. */
  setConfigErrors(name: string, errors: Diagnostic[]): void {
    if (this.records.has(name)) this.reloadErrors.set(name, errors);
  }

  /** The project is down: forget it, after any save still in flight, so none can bring it back. */
  async remove(name: string): Promise<void> {
    this.records.delete(name);
    this.reloadErrors.delete(name);
    await this.saving.get(name)?.catch(() => undefined);
    this.saving.delete(name);
    this.queued.delete(name);
    await this.deps.store.remove(name);
  }

  // ---- the operator's and the autoscaler's changes -----------------------------------------------

  setScale(view: ProjectView, service: string, replicas: number): Promise<boolean> {
    return this.change(view, (r) => (r.scale[service] = replicas));
  }

  /** `composed stop [-t N]`: left stopped, whatever the restart policy says, within N seconds when given. */
  stopService(view: ProjectView, service: string, timeoutSeconds?: number): Promise<boolean> {
    return this.change(view, (r) => {
      setStopTimeout(r, service, timeoutSeconds);
      if (!r.stopped.includes(service)) r.stopped = [...r.stopped, service].sort();
    });
  }

  /**
   * `composed start`: a stopped service starts again (its containers are replaced); one created by
   * `up --no-start` starts the containers it has.
   */
  startService(view: ProjectView, service: string, now: number): Promise<boolean> {
    return this.change(view, (r) => {
      r.createOnly = r.createOnly?.filter((s) => s !== service);
      if (!r.stopped.includes(service)) return;
      setStopTimeout(r, service, undefined);
      r.stopped = r.stopped.filter((s) => s !== service);
      r.restartRequestedAt[service] = now;
    });
  }

  /** `composed restart [-t N]`: replicas created before now are replaced; one that gave up starts afresh. */
  restartService(view: ProjectView, service: string, now: number, timeoutSeconds?: number): Promise<boolean> {
    return this.change(view, (r) => {
      setStopTimeout(r, service, timeoutSeconds);
      r.restartRequestedAt[service] = now;
      r.stopped = r.stopped.filter((s) => s !== service);
      r.replicas[service] = withoutGiveUps(r.replicas[service] ?? {});
    });
  }

  /**
   * `composed restart --rolling`: every replica rolls, one roll-out step at a time, to the same
   * config under a new generation (core/rolling-restart.ts); a failure pauses it.
   */
  rollingRestart(view: ProjectView, service: string, now: number): Promise<boolean> {
    return this.change(view, (r) => {
      r.restartGenerations = { ...r.restartGenerations, [service]: (r.restartGenerations?.[service] ?? 0) + 1 };
      r.rollouts[service] = { state: 'rolling-out', message: 'rolling restart by a user', at: now };
      r.replicas[service] = withoutGiveUps(r.replicas[service] ?? {});
    });
  }

  /** depends_on `restart: true`: dependants of a replaced dependency are replaced too. */
  restartDependants(view: ProjectView, services: string[], now: number): Promise<boolean> {
    return this.change(view, (r) => {
      for (const name of services) r.restartRequestedAt[name] = now;
    });
  }

  /** `docker stop` by someone else: unless-stopped leaves that replica stopped. */
  noteUserStop(view: ProjectView, service: string, number: number): Promise<boolean> {
    return this.change(view, (r) => {
      const memory = (r.replicas[service] ??= {});
      const mem = (memory[number] ??= freshMemory());
      mem.stoppedByUser = true;
      // The `die` before this `stop` may already have been decided as a crash: decide it again.
      if (mem.handled?.outcome === 'replace' && mem.handled.containerId === mem.containerId) mem.handled = undefined;
    });
  }

  // ---- what a service's worker learnt ---------------------------------------------------------

  /**
   * A sync's memory of the service's replicas and of the old containers it could not remove
   * (`undefined` memory: the service left the file). Not saved here: the worker saves once per sync.
   */
  setServiceMemory(view: ProjectView, service: string, memory: Record<number, ReplicaMemory> | undefined, stuck: Record<string, StuckRemoval>): boolean {
    const record = this.current(view);
    if (!record) return false;
    if (memory) record.replicas[service] = memory;
    else delete record.replicas[service];
    if (Object.keys(stuck).length > 0) record.stuck[service] = stuck;
    else delete record.stuck[service];
    return true;
  }

  /** A roll-out's next state; a rollback puts the previous config back. Saved with the sync. */
  setRollout(view: ProjectView, service: string, rollout: RolloutRecord, rollBackTo?: { service: Service; hash: string }): boolean {
    const record = this.current(view);
    if (!record) return false;
    record.rollouts[service] = rollout;
    if (rollBackTo) {
      record.project.services[service] = rollBackTo.service;
      record.configHashes[service] = rollBackTo.hash;
      // The pinned config itself failed: the service no longer runs the revision it was pinned to.
      if (record.pins?.[service]) delete record.pins[service];
    }
    return true;
  }

  /**
   * `composed rollback`: the service rolls out to an earlier revision, replica by replica as any
   * changed config does (a failure rolls it back again), and is pinned to it until the file changes.
   */
  pinRevision(view: ProjectView, service: string, target: { service: Service; hash: string }, pin: ServicePin): Promise<boolean> {
    return this.change(view, (r) => {
      const running = r.project.services[service];
      const runningHash = r.configHashes[service];
      const previous = running && runningHash !== undefined ? { service: running, hash: runningHash } : undefined;
      r.rollouts[service] = { state: 'rolling-out', message: pin.reason, at: pin.at, ...(previous ? { previous } : {}) };
      r.project.services[service] = target.service;
      r.configHashes[service] = target.hash;
      r.pins = { ...r.pins, [service]: pin };
    });
  }

  // ---- the tag follower's -----------------------------------------------------------------------

  /** What following the service's image tag learnt (a check, an update, a rollback); saved now. */
  setTagFollow(view: ProjectView, service: string, state: TagFollowState): Promise<boolean> {
    return this.change(view, (r) => (r.tagFollow = { ...r.tagFollow, [service]: state }));
  }

  /** Persist the record as it is now; a record replaced or removed meanwhile is not written. */
  save(view: ProjectView): Promise<void> {
    // A save waiting for its turn writes the record as it is when its turn comes, so it serves
    // every save asked for before then: in a crash storm of a large project, one write of the
    // whole record instead of one per replica's sync (bench/RESULTS.md, the simulation).
    const waiting = this.queued.get(view.name);
    if (waiting?.view === view) return waiting.done;
    const previous = this.saving.get(view.name) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => {
        if (this.queued.get(view.name)?.done === next) this.queued.delete(view.name);
        const record = this.current(view);
        return record ? this.deps.store.save(record) : undefined;
      })
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, project: view.name }, 'could not write the state file; running containers are untouched');
        this.deps.onSaveFailed(view.name, error);
      });
    this.saving.set(view.name, next);
    this.queued.set(view.name, { view, done: next });
    return next;
  }

  /** Saves still in flight, for a daemon that stops. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.saving.values()]);
  }

  private current(view: ProjectView): ProjectRecord | undefined {
    const record = this.records.get(view.name);
    return record === view ? record : undefined;
  }

  private async change(view: ProjectView, apply: (record: ProjectRecord) => void): Promise<boolean> {
    const record = this.current(view);
    if (!record) return false;
    apply(record);
    await this.save(record);
    return true;
  }
}

/** The grace a user's `stop -t` / `restart -t` gave the service's stops; none given, none kept. */
function setStopTimeout(record: ProjectRecord, service: string, seconds: number | undefined): void {
  const { [service]: _dropped, ...others } = record.stopTimeouts ?? {};
  record.stopTimeouts = seconds === undefined ? others : { ...others, [service]: seconds };
}
