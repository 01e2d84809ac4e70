// Project-wide steps the API asks for: up (load, prepare networks/volumes/images, hand services to
// the controller), down (stop in reverse dependency order, remove), and the per-service commands
// (scale, restart, stop, start). Each asks the registry for the change and enqueues; the workers do
// the container work.
import { ComposeError, formatDiagnostic } from '../../compose/errors.js';
import { loadProject, type LoadResult } from '../../compose/load.js';
import { enforcePolicy, fileAccessFor, type ProjectOwner } from '../access/project-access.js';
import { fixedHostPortConflict } from '../../compose/validate.js';
import type { Project } from '../../compose/model.js';
import { serviceConfigHash } from '../../compose/hash.js';
import type { DownRequest, EventCaller, LayerProgress, LoadRequest, UpResponse } from '../../protocol/api.js';
import type { HistoryReport, RollbackResponse, RollingRestartResponse } from '../../protocol/history.js';
import { LABEL_NUMBER, LABEL_SERVICE } from '../core/labels.js';
import { hookMessage } from '../core/apply-results.js';
import type { Operation } from '../core/plan.js';
import { planPrepare } from '../core/prepare-plan.js';
import { previewPlan, type ProjectPreview } from '../core/preview-plan.js';
import { planRollouts } from '../core/rollout-outcome.js';
import { rolloutOrder } from '../core/rollout.js';
import { servicesToStart } from '../core/dependencies.js';
import { keepPinned } from '../core/service-pins.js';
import { changedKeys, rollbackTarget } from '../core/config-revisions.js';
import { executePreparePlan } from '../supervisor/executor.js';
import { answeredByEngine, type SupervisionRuntime, type ContainerSummary } from '../ports/runtime.js';
import { keepUnnamed, nextRecord } from '../state/next-record.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { ProjectView } from '../state/state-store.js';
import { type Controller, errorMessage, key } from '../supervisor/controller.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import { dependencyLevels } from './dependency-order.js';
import { KeyedMutex } from './keyed-mutex.js';
import { RequestError } from './request-error.js';
import type { ServiceRevisions } from './service-revisions.js';

export type Progress = (resource: string, message: string, layer?: LayerProgress) => void;

interface ApplyOptions {
  noStart?: boolean;
  owner?: ProjectOwner | undefined;
  caller?: EventCaller | undefined;
  /** Services whose followed tag moved, with the image (by digest) a rollback returns to. */
  previousImages?: Record<string, string>;
}

export class ProjectLifecycle {
  private readonly lock = new KeyedMutex();
  private readonly controller: Controller;
  private readonly registry: ProjectRegistry;

  constructor(
    private readonly deps: SupervisorParts,
    /** The services' config history; without it nothing is recorded and rollback is refused. */
    private readonly revisions?: ServiceRevisions,
  ) {
    ({ controller: this.controller, registry: this.registry } = deps);
  }

  /**
   * Load the files, prepare what the services need, then let the workers bring replicas up. Also
   * the path of every reload: services whose config hash changed roll out, others are untouched.
   * `reload` (the file watcher) keeps services stopped with `composed stop` stopped and does not
   * retry a config that was rolled back; an explicit `up` does both.
   */
  async up(request: LoadRequest, progress: Progress, options: { noStart?: boolean; owner?: ProjectOwner; caller?: EventCaller } = {}): Promise<UpResponse> {
    const loaded = await load(request, options.owner);
    return this.lock.run(loaded.project.name, () => {
      const previous = this.registry.get(loaded.project.name);
      // A project stays its creator's: the restricted group may not take over someone else's by name.
      if (options.owner?.restricted && previous && previous.owner?.uid !== options.owner.uid) throw notYours(previous.name);
      return this.apply(request, loaded, progress, false, { noStart: options.noStart ?? false, owner: previous?.owner ?? options.owner, caller: options.caller });
    });
  }

  /**
   * A followed image tag moved and its new image is pulled: the project is reloaded as an edit would
   * be, the new image id changing the service's hash. `previousImage` pins the config a rollback
   * returns to (`repo@sha256:…` or an image id): the tag itself points at the new image now.
   */
  followTag(name: string, service: string, previousImage: string): Promise<void> {
    return this.lock.run(name, () => this.reloadNow(name, `the image tag of ${service} moved`, { [service]: previousImage }));
  }

  private async apply(request: LoadRequest, loaded: LoadResult, progress: Progress, reload: boolean, { noStart = false, owner, caller, previousImages = {} }: ApplyOptions = {}): Promise<UpResponse> {
    const { project, warnings } = loaded;
    const only = servicesOf(request, project);
    // Networks, named volumes and images (core/prepare-plan.ts): what every replica needs before it exists.
    await executePreparePlan(planPrepare(project, only, request.pull), { runtime: this.deps.runtime, project, progress });
    const { previous, record, fileHashes, started } = await this.nextConfig(request, loaded, only, reload, noStart, owner, previousImages);
    this.announceRollouts(previous, record, started, previousImages);
    await this.registry.adopt(record);
    await this.revisions?.recordLoad(project, record.configHashes, fileHashes, reload ? 'file-edit' : 'up');
    this.controller.retryAfterChange(project.name);
    this.controller.emit({ project: project.name, type: 'project-up', message: `supervising ${Object.keys(project.services).length} services`, ...(caller ? { caller } : {}) });
    for (const name of Object.keys(previous?.project.services ?? {})) {
      if (!project.services[name]) this.controller.enqueueService(key(project.name, name));
    }
    await this.followBalancers();
    this.controller.enqueueProject(project.name);
    return { project: project.name, services: Object.keys(project.services).sort(), warnings };
  }

  /**
   * The record a load makes, computed and not adopted: the file's config hashes, `up SERVICE...`
   * keeping the others, pins that still hold (core/service-pins.ts), the roll-outs (a config rolled
   * back before is kept out on a reload). Changes `loaded.project` to the configs that will run.
   */
  private async nextConfig(request: LoadRequest, { project, warnings, environment }: LoadResult, only: ReadonlySet<string> | undefined, reload: boolean, noStart: boolean, owner: ProjectOwner | undefined, previousImages: Record<string, string> = {}) {
    const configHashes = await projectConfigHashes(this.deps.runtime, project);
    const fileHashes = { ...configHashes };
    const previous = this.registry.get(project.name);
    if (only) keepUnnamed(previous, project, configHashes, only);
    const pins = keepPinned(previous, project, configHashes, fileHashes);
    const planned = planRollouts(previous, project, configHashes, reload, this.deps.clock.now());
    for (const [name, kept] of Object.entries(planned.kept)) {
      project.services[name] = kept.service;
      configHashes[name] = kept.hash;
    }
    // A rollback of a moved tag returns to the image the tag pointed at before, by digest.
    for (const name of planned.started) {
      const rollout = planned.rollouts[name];
      const image = previousImages[name];
      if (image && rollout?.previous) rollout.previous = { ...rollout.previous, service: { ...rollout.previous.service, image } };
    }
    // Only the variables the files referenced are kept (LoadResult.environment), never a whole shell.
    const load = { ...request, env: environment };
    const record = nextRecord(previous, { load, project, configHashes, rollouts: planned.rollouts, warnings, reload, only, noStart, pins, ...(owner ? { owner } : {}) });
    return { previous, record, fileHashes, started: planned.started };
  }

  /** Pins an edit lifted, and the services that start rolling out. */
  private announceRollouts(previous: ProjectView | undefined, next: ProjectView, started: readonly string[], previousImages: Record<string, string>): void {
    const project = next.name;
    for (const name of Object.keys(previous?.pins ?? {})) {
      if (!next.pins?.[name] && next.project.services[name]) this.controller.emit({ project, service: name, type: 'rollout', message: 'the file\'s config changed: the pin to an earlier revision is lifted' });
    }
    for (const name of started) {
      const many = (next.project.services[name]?.replicas ?? 1) > 1;
      const what = previousImages[name] ? 'new image under the tag' : 'config changed';
      this.controller.emit({ project, service: name, type: 'rollout', message: many ? `${what}: rolling out replica by replica` : `${what}: rolling out` });
    }
  }

  /**
   * What `up` (or, with `reload`, the file watcher) would do with the files as they are now,
   * decided as a load decides and nothing carried out: no image pulled, no record changed.
   */
  async preview(request: LoadRequest, reload: boolean, owner?: ProjectOwner): Promise<ProjectPreview & { supervised: boolean }> {
    const loaded = await load(request, owner);
    return this.lock.run(loaded.project.name, async () => {
      const supervised = this.registry.get(loaded.project.name);
      if (owner?.restricted && supervised && supervised.owner?.uid !== owner.uid) throw notYours(supervised.name);
      const { previous, record } = await this.nextConfig(request, loaded, servicesOf(request, loaded.project), reload, false, supervised?.owner ?? owner);
      const wanted = Object.fromEntries(Object.keys(record.project.services).map((name) => {
        const intent = this.registry.intentFor(record, name);
        return [name, !intent || intent.stopped ? 0 : intent.replicas];
      }));
      const containers = previous ? await this.controller.listProject(record.name) : [];
      return { ...previewPlan({ running: previous, next: record, wanted, containers }), supervised: previous !== undefined };
    });
  }

  /** Reload a supervised project from its files; an invalid file changes nothing that runs. */
  reload(name: string, reason: string): Promise<void> {
    return this.lock.run(name, () => this.reloadNow(name, reason));
  }

  private async reloadNow(name: string, reason: string, previousImages: Record<string, string> = {}): Promise<void> {
    const record = this.registry.get(name);
    if (!record) return; // it went down meanwhile
    const log = this.deps.logger.child({ project: name });
    try {
      log.info({ reason }, 'reloading the compose files');
      // The project keeps its name even when the file's `name:` changes: a reload never forks it.
      const request = { ...record.load, projectName: record.name };
      await this.apply(request, await load(request, record.owner), (resource, message) => log.info({ resource }, message), true, { owner: record.owner, previousImages });
    } catch (error) {
      const diagnostics = error instanceof ComposeError ? error.diagnostics : [{ severity: 'error' as const, file: record.project.configFiles[0] ?? '', line: 0, column: 0, path: '', message: error instanceof Error ? error.message : String(error) }];
      this.registry.setConfigErrors(name, diagnostics.filter((d) => d.severity === 'error'));
      const message = diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('; ');
      log.error({ diagnostics }, 'the compose file is not valid; the previous config keeps running');
      this.controller.emit({ project: name, type: 'config-error', message });
    }
  }

  /** The balancers' listeners follow the supervised projects (opened on up, closed on down). */
  async followBalancers(): Promise<void> {
    await this.deps.balancers?.follow(this.registry.all().map((r) => r.project));
  }

  down(name: string, request: DownRequest, progress: Progress): Promise<void> {
    return this.lock.run(name, () => this.downNow(name, request, progress));
  }

  private async downNow(name: string, request: DownRequest, progress: Progress): Promise<void> {
    const record = this.require(name);
    const { runtime } = this.deps;
    this.controller.markGoingDown(name, true);
    this.controller.forgetProject(name);
    await this.controller.waitIdle(name);
    try {
      await this.removeContainers(record, await this.controller.listProject(name), request, progress);
      // A container whose create was already with the engine when the listing was taken shows up
      // only now; left behind, it would hold the network ("has active endpoints").
      await this.removeContainers(record, await this.controller.listProject(name), request, progress);
      for (const [key, network] of sortedEntries(record.project.networks)) {
        if (network.external) continue;
        progress(`network ${network.name}`, 'removing');
        const left = await runtime.removeNetwork(record.project, key, network);
        if (left) {
          progress(`network ${network.name}`, left);
          this.controller.emit({ project: name, type: 'engine', message: `network ${network.name} ${left}` });
        }
      }
      if (request.removeVolumes) {
        progress('volumes', 'removing named and anonymous volumes');
        await runtime.removeProjectVolumes(record.project);
      }
      await this.registry.remove(name);
      this.controller.forgetDown(name);
      await this.followBalancers();
      this.controller.emit({ project: name, type: 'project-down', message: request.removeVolumes ? 'removed with volumes' : 'removed' });
    } finally {
      this.controller.markGoingDown(name, false);
    }
  }

  /**
   * Stops and removes containers in reverse dependency order, then those of services no longer in
   * the file: a plan per level, carried out by the supervisor's executor (drained, the daemon's own
   * stops, `-t` over stop_grace_period). One the engine will not remove is left in place and said.
   */
  private async removeContainers(record: ProjectView, listing: ContainerSummary[], request: DownRequest, progress: Progress): Promise<void> {
    const levels = dependencyLevels(record.project).reverse();
    const known = new Set(Object.keys(record.project.services));
    const orphans = listing.filter((c) => !known.has(c.labels[LABEL_SERVICE] ?? ''));
    for (const level of [...levels, []]) {
      const containers = level.length === 0 ? orphans : listing.filter((c) => level.includes(c.labels[LABEL_SERVICE] ?? ''));
      const plan: Operation[] = containers.map((c) => ({ kind: 'remove', service: c.labels[LABEL_SERVICE] ?? '', number: Number(c.labels[LABEL_NUMBER]) || 0, containerId: c.id, cause: 'project going down' }));
      const names = new Map(containers.map((c) => [c.id, c.name]));
      for (const c of containers) progress(`container ${c.name}`, 'stopping');
      for (const result of await this.controller.execute(record, plan, { stopTimeoutSeconds: request.timeoutSeconds, stepAside: false })) {
        const name = names.get('containerId' in result.op ? result.op.containerId : '') ?? result.op.service;
        for (const run of result.hooks ?? []) this.controller.emit({ project: record.name, service: result.op.service, replica: result.op.number, type: 'hook', message: hookMessage(run) });
        if (result.ok) {
          progress(`container ${name}`, 'removed');
          continue;
        }
        // down finishes all the same: the engine keeps such a container whatever we do now.
        if (!answeredByEngine(result.error)) throw result.error;
        const message = `could not be removed, left in place: ${errorMessage(result.error)}`;
        progress(`container ${name}`, message);
        this.controller.emit({ project: record.name, service: result.op.service, type: 'operation-failed', message: `container ${name} ${message}` });
      }
    }
  }

  scale(project: string, service: string, replicas: number): Promise<void> {
    return this.lock.run(project, () => this.scaleNow(project, service, replicas));
  }

  private async scaleNow(project: string, service: string, replicas: number): Promise<void> {
    const record = this.require(project);
    const svc = this.requireService(record, service);
    const bounds = svc.composed.autoscale;
    if (bounds && (replicas < bounds.min || replicas > bounds.max)) {
      throw new RequestError(`replicas ${replicas} is outside the autoscale bounds [${bounds.min}, ${bounds.max}] of ${service}`, 'invalid', 'replicas');
    }
    const conflict = replicas > 1 ? fixedHostPortConflict({ ...svc, replicas }) : undefined;
    if (conflict) throw new RequestError(`cannot scale ${service} to ${replicas}: ${conflict}`, 'invalid', 'replicas');
    await this.registry.setScale(record, service, replicas);
    this.controller.emit({ project, service, type: 'scaled', message: `scaled to ${replicas} by a user` });
    this.changed(record, service);
  }

  /** `timeoutSeconds` (`restart -t`) is the grace each old replica gets, over stop_grace_period. */
  restart(project: string, service: string, timeoutSeconds?: number): Promise<void> {
    return this.lock.run(project, () => this.restartNow(project, service, timeoutSeconds));
  }

  private async restartNow(project: string, service: string, timeoutSeconds: number | undefined): Promise<void> {
    const record = this.require(project);
    this.requireService(record, service);
    await this.registry.restartService(record, service, this.deps.clock.now(), timeoutSeconds);
    this.changed(record, service);
  }

  /** `composed restart --rolling`: the replicas roll one step at a time, as a changed config does. */
  rollingRestart(project: string, service: string): Promise<RollingRestartResponse> {
    return this.lock.run(project, async () => {
      const record = this.require(project);
      const svc = this.requireService(record, service);
      if (record.stopped.includes(service)) throw new RequestError(`${service} is stopped: \`composed start ${service}\` starts it`, 'invalid', 'service');
      await this.registry.rollingRestart(record, service, this.deps.clock.now());
      const order = rolloutOrder(svc);
      this.controller.emit({ project, service, type: 'rollout', message: `rolling restart by a user: replica by replica, ${order}` });
      this.changed(record, service);
      return { project: record.name, service, order, replicas: this.registry.intentFor(record, service)?.replicas ?? svc.replicas };
    });
  }

  /** `timeoutSeconds` (`stop -t`) is the grace each replica gets, over stop_grace_period. */
  stopService(project: string, service: string, timeoutSeconds?: number): Promise<void> {
    return this.lock.run(project, () => this.stopNow(project, service, timeoutSeconds));
  }

  private async stopNow(project: string, service: string, timeoutSeconds: number | undefined): Promise<void> {
    const record = this.require(project);
    this.requireService(record, service);
    await this.registry.stopService(record, service, timeoutSeconds);
    this.changed(record, service);
  }

  startService(project: string, service: string): Promise<void> {
    return this.lock.run(project, () => this.startNow(project, service));
  }

  private async startNow(project: string, service: string): Promise<void> {
    const record = this.require(project);
    this.requireService(record, service);
    // Created by `up --no-start`: its containers are started as they are, not recreated.
    if (!record.stopped.includes(service) && !record.createOnly?.includes(service)) return;
    await this.registry.startService(record, service, this.deps.clock.now());
    this.changed(record, service);
  }

  /** `composed history`: the service's kept revisions, with what changed from one to the next. */
  async history(project: string, service: string): Promise<HistoryReport> {
    const record = this.require(project);
    this.requireService(record, service);
    return (await this.revisions?.report(record, service)) ?? { project: record.name, service, revisions: [] };
  }

  /**
   * `composed rollback [--to REV]`: the service rolls out to an earlier revision (the one before the
   * running one by default) through the usual roll-out, and stays pinned to it until the file changes.
   */
  rollback(project: string, service: string, to: number | undefined): Promise<RollbackResponse> {
    return this.lock.run(project, () => this.rollbackNow(project, service, to));
  }

  private async rollbackNow(project: string, service: string, to: number | undefined): Promise<RollbackResponse> {
    const record = this.require(project);
    const running = this.requireService(record, service);
    const history = await this.revisions?.of(record.name, service);
    const target = rollbackTarget(history, record.configHashes[service] ?? '', to);
    if (typeof target === 'string') throw new RequestError(`cannot roll ${service} back: ${target}`, 'invalid', to === undefined ? undefined : 'to');
    const reason = `rolled back to revision ${target.revision} by a user`;
    const pin = { revision: target.revision, hash: target.hash, fileHash: history?.fileHash ?? record.configHashes[service] ?? '', reason, at: this.deps.clock.now() };
    await this.registry.pinRevision(record, service, target, pin);
    await this.revisions?.recordRollback(record.name, service, target);
    this.controller.emit({ project, service, type: 'rollout', message: `${reason}: rolling out` });
    this.changed(record, service);
    return { project: record.name, service, revision: target.revision, changed: changedKeys(running, target.service) };
  }

  require(name: string): ProjectView {
    const record = this.registry.get(name);
    if (!record) throw new RequestError(`no project named ${JSON.stringify(name)} is supervised`, 'not-found');
    return record;
  }

  private requireService(record: ProjectView, service: string) {
    const svc = record.project.services[service];
    if (!svc) throw new RequestError(`project ${record.name} has no service ${JSON.stringify(service)}`, 'not-found', 'service');
    return svc;
  }

  /** A change asked of the registry may fix what retrying could not: sync the service now. */
  private changed(record: ProjectView, service: string): void {
    this.controller.retryAfterChange(record.name, service);
    this.controller.enqueueService(key(record.name, service));
  }
}

/** `up SERVICE...`: the services it starts (with their dependencies unless --no-deps); undefined for all. */
function servicesOf(request: LoadRequest, project: Project): ReadonlySet<string> | undefined {
  for (const [i, name] of (request.services ?? []).entries()) {
    if (!project.services[name]) throw new RequestError(`project ${project.name} has no service ${JSON.stringify(name)}`, 'invalid', `services[${i}]`);
  }
  return request.services?.length ? servicesToStart(project.services, request.services, !request.noDeps) : undefined;
}

/** Read with the owner's permissions and, for the restricted group, under its policy. */
async function load(request: LoadRequest, owner: ProjectOwner | undefined): Promise<LoadResult> {
  const access = fileAccessFor(owner);
  const loaded = await loadProject({ files: request.files, projectName: request.projectName, cwd: request.cwd, env: request.env, profiles: request.profiles, ...(access ? { access } : {}) });
  enforcePolicy(owner, loaded);
  return loaded;
}

export function notYours(project: string): RequestError {
  return new RequestError(`project ${project} belongs to another user`, 'forbidden');
}


function sortedEntries<T>(map: Record<string, T>): Array<[string, T]> {
  return Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
}

/** Each service's config hash, with the id its image has now (a new build is a config change). */
export async function projectConfigHashes(runtime: Pick<SupervisionRuntime, 'imageId'>, project: Project): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const [name, service] of Object.entries(project.services)) {
    hashes[name] = serviceConfigHash(service, { imageId: await runtime.imageId(service.image) });
  }
  return hashes;
}
