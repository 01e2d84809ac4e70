// What the engine has, as the supervisor reads it: a listing of the project shared by the syncs of
// its services while nothing changed them (a resync), a listing of one service after an event
// changed it, and the containers whose death the listing has not caught up with yet, inspected
// directly.
import type { Clock } from '../ports/clock.js';
import type { ContainerDetails, ContainerSummary, SupervisionRuntime } from '../ports/runtime.js';
import { LABEL_SERVICE, projectSelector } from '../core/labels.js';
import { needsDetails } from '../core/observed.js';

/**
 * The engine emits `die` before its container listing says `exited` (seen on 20.10: a listing made
 * right after the event still showed the container running, and the replacement then waited for
 * the 30 s resync; bench/RESULTS.md, replacement latency). Such a container is inspected at once
 * (seeRecentDeaths); one that even inspect still shows running is looked at again this soon, for
 * at most DIE_RECHECK_FOR_MS.
 */
export const DIE_RECHECK_MS = 25;
const DIE_RECHECK_FOR_MS = 5_000;

export interface FreshListing {
  listing: ContainerSummary[];
  /** The containers inspected because their death lagged in the listing. */
  inspected: Map<string, ContainerDetails>;
  /** A container that died is still running even by inspect: look again in DIE_RECHECK_MS. */
  stillRunning: boolean;
}

/** Containers of one service, as the latest listing that covered them saw them. */
interface Seen {
  containers: ContainerSummary[];
  /** When that listing began. */
  at: number;
  /** The service's change count when it began. */
  generation: number;
}

/** What is known of one project's containers, service by service. */
interface ProjectSight {
  services: Map<string, Seen>;
  /** The latest listing of the whole project: when it began and the project's change count then. */
  whole?: { at: number; generation: number };
  /** Changes to any of the project's containers. */
  changes: number;
  /** Changes per service, and to all services at once (both only grow, so their sum changes with either). */
  serviceChanges: Map<string, number>;
  allChanges: number;
  /** Every service's containers in one list sorted by name, until the next listing. */
  flat?: ContainerSummary[];
}

export class Observer {
  private readonly projects = new Map<string, ProjectSight>();
  /** Containers whose `die` event arrived, with when: a sync that still sees them running looks again. */
  private readonly recentDeaths = new Map<string, number>();

  constructor(
    private readonly runtime: SupervisionRuntime,
    private readonly clock: Clock,
    /** Told after every listing the engine answered (it is reachable). */
    private readonly answered: () => void,
  ) {}

  /** The project's containers as last listed (each service by its latest listing), for status while the engine is unreachable. */
  lastListingOf(project: string): ContainerSummary[] {
    const sight = this.projects.get(project);
    if (!sight) return [];
    sight.flat ??= [...sight.services.values()].flatMap((s) => s.containers).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return sight.flat;
  }

  /**
   * The project's containers from the engine. `maxAgeMs` lets a reader reuse a listing that recent
   * instead of asking the engine again, as long as nothing has changed the project's containers
   * since that listing began: a container event of the project, or a plan the daemon executes.
   */
  async listProject(name: string, { maxAgeMs = 0 } = {}): Promise<ContainerSummary[]> {
    const sight = this.sight(name);
    const { whole } = sight;
    if (maxAgeMs > 0 && whole && whole.generation === sight.changes && this.clock.now() - whole.at <= maxAgeMs) return this.lastListingOf(name);
    const at = this.clock.now();
    const generation = sight.changes;
    const generations = new Map([...sight.serviceChanges.keys()].map((service) => [service, this.generationOf(sight, service)]));
    const allAtStart = sight.allChanges;
    const containers = await this.runtime.listContainers(projectSelector(name));
    const byService = new Map<string, ContainerSummary[]>();
    for (const c of containers) {
      const service = c.labels[LABEL_SERVICE] ?? '';
      const list = byService.get(service);
      if (list) list.push(c);
      else byService.set(service, [c]);
    }
    // A service listed on its own since this listing began keeps that newer listing.
    for (const [service, seen] of sight.services) if (!byService.has(service) && seen.at <= at) sight.services.delete(service);
    for (const [service, list] of byService) {
      if ((sight.services.get(service)?.at ?? -Infinity) > at) continue;
      sight.services.set(service, { containers: list, at, generation: generations.get(service) ?? allAtStart });
    }
    sight.whole = { at, generation };
    sight.flat = undefined;
    this.answered();
    return containers;
  }

  /**
   * One service's containers: from the latest listing that covered the service (the project's, or
   * its own) when nothing changed them since it began and it is at most `maxAgeMs` old, else from
   * the engine, listed by the service's labels. A sync after an event asks the engine for its
   * service only: its cost is that service's containers, not the project's.
   */
  async listService(project: string, service: string, { maxAgeMs = 0 } = {}): Promise<ContainerSummary[]> {
    const sight = this.sight(project);
    const seen = sight.services.get(service);
    const generation = this.generationOf(sight, service);
    if (maxAgeMs > 0 && seen && seen.generation === generation && this.clock.now() - seen.at <= maxAgeMs) return seen.containers;
    const at = this.clock.now();
    const containers = await this.runtime.listContainers({ ...projectSelector(project), [LABEL_SERVICE]: service });
    if ((sight.services.get(service)?.at ?? -Infinity) <= at) {
      if (containers.length > 0) sight.services.set(service, { containers, at, generation });
      else sight.services.delete(service);
      sight.flat = undefined;
    }
    this.answered();
    return containers;
  }

  /** The project's containers changed (or may have): listings taken before are not reused. `service` narrows it to one service's. */
  containersChanged(project: string, service?: string): void {
    const sight = this.sight(project);
    sight.changes += 1;
    if (service === undefined) sight.allChanges += 1;
    else sight.serviceChanges.set(service, (sight.serviceChanges.get(service) ?? 0) + 1);
  }

  died(containerId: string): void {
    this.recentDeaths.set(containerId, this.clock.now());
  }

  destroyed(containerId: string): void {
    this.recentDeaths.delete(containerId);
  }

  forgetProject(project: string): void {
    this.projects.delete(project);
  }

  /**
   * The listing with each container whose `die` arrived but is still listed running replaced by
   * its inspection. The listing is a snapshot the engine updates after the event; inspect reads the
   * container itself, so the replacement need not wait for the next listing (it waited a 25 ms
   * recheck or more, 89 ms median from die to the listing that saw it; bench/RESULTS.md).
   */
  async seeRecentDeaths(listing: ContainerSummary[]): Promise<FreshListing> {
    // Judged on the engine's listing only: a death stays remembered until the listing itself agrees,
    // so a later sync whose fresh listing still lags inspects again instead of seeing it running.
    const lagging = this.diedButListedRunning(listing);
    const inspected = new Map<string, ContainerDetails>();
    if (lagging.length === 0) return { listing, inspected, stillRunning: false };
    await Promise.all(
      lagging.map(async (id) => {
        const d = await this.runtime.inspectContainer(id);
        if (d) inspected.set(id, d);
      }),
    );
    // Running again after its death (someone's `docker start`): nothing lags any more.
    for (const id of lagging) {
      const d = inspected.get(id);
      if (d?.state === 'running' && d.startedAt > (this.recentDeaths.get(id) ?? Infinity)) this.recentDeaths.delete(id);
    }
    const stillRunning = lagging.some((id) => this.recentDeaths.has(id) && inspected.get(id)?.state === 'running');
    return { listing: listing.map((c) => inspected.get(c.id) ?? c), inspected, stillRunning };
  }

  /** Details of the containers reconcile needs them for (exit code, OOM, health log), inspected once. */
  async inspectWhereNeeded(containers: ContainerSummary[], inspected: ReadonlyMap<string, ContainerDetails>): Promise<Map<string, ContainerDetails>> {
    const details = new Map(inspected);
    await Promise.all(
      containers.filter((c) => needsDetails(c) && !details.has(c.id)).map(async (c) => {
        const d = await this.runtime.inspectContainer(c.id);
        if (d) details.set(c.id, d);
      }),
    );
    return details;
  }

  private sight(project: string): ProjectSight {
    let sight = this.projects.get(project);
    if (!sight) {
      sight = { services: new Map(), changes: 0, serviceChanges: new Map(), allChanges: 0 };
      this.projects.set(project, sight);
    }
    return sight;
  }

  private generationOf(sight: ProjectSight, service: string): number {
    return sight.allChanges + (sight.serviceChanges.get(service) ?? 0);
  }

  /** Containers whose `die` arrived but that are still listed running (the engine lags its events). */
  private diedButListedRunning(containers: ContainerSummary[]): string[] {
    const now = this.clock.now();
    const lagging: string[] = [];
    for (const c of containers) {
      const diedAt = this.recentDeaths.get(c.id);
      if (diedAt === undefined) continue;
      if (c.state === 'running' && now - diedAt < DIE_RECHECK_FOR_MS) lagging.push(c.id);
      else this.recentDeaths.delete(c.id);
    }
    return lagging;
  }
}
