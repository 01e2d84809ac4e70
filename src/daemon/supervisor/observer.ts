// What the engine has, as the supervisor reads it: one listing per project, shared by the syncs
// of its services while nothing changed, and the containers whose death the listing has not
// caught up with yet, inspected directly.
import type { Clock } from '../ports/clock.js';
import type { ContainerDetails, ContainerSummary, SupervisionRuntime } from '../ports/runtime.js';
import { projectSelector } from '../core/labels.js';
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

export class Observer {
  /** Last container listing per project, for status while the engine is unreachable. */
  private readonly lastListing = new Map<string, ContainerSummary[]>();
  /** When each project's last listing began, and its change count then. */
  private readonly listedAt = new Map<string, { at: number; generation: number }>();
  /** Per project, how many times its containers changed (events, executed plans). */
  private readonly changes = new Map<string, number>();
  /** Containers whose `die` event arrived, with when: a sync that still sees them running looks again. */
  private readonly recentDeaths = new Map<string, number>();

  constructor(
    private readonly runtime: SupervisionRuntime,
    private readonly clock: Clock,
    /** Told after every listing the engine answered (it is reachable). */
    private readonly answered: () => void,
  ) {}

  /** The project's last listing, for status while the engine is unreachable. */
  lastListingOf(project: string): ContainerSummary[] {
    return this.lastListing.get(project) ?? [];
  }

  /**
   * The project's containers from the engine. `maxAgeMs` lets a reader reuse a listing that recent
   * instead of asking the engine again, as long as nothing has changed the project's containers
   * since that listing began: a container event of the project, or a plan the daemon executes.
   */
  async listProject(name: string, { maxAgeMs = 0 } = {}): Promise<ContainerSummary[]> {
    const cached = this.listedAt.get(name);
    const last = this.lastListing.get(name);
    const generation = this.changes.get(name) ?? 0;
    if (maxAgeMs > 0 && last && cached && cached.generation === generation && this.clock.now() - cached.at <= maxAgeMs) return last;
    const at = this.clock.now();
    const containers = await this.runtime.listContainers(projectSelector(name));
    this.lastListing.set(name, containers);
    this.listedAt.set(name, { at, generation });
    this.answered();
    return containers;
  }

  /** The project's containers changed (or may have): listings taken before are not reused. */
  containersChanged(project: string): void {
    this.changes.set(project, (this.changes.get(project) ?? 0) + 1);
  }

  died(containerId: string): void {
    this.recentDeaths.set(containerId, this.clock.now());
  }

  destroyed(containerId: string): void {
    this.recentDeaths.delete(containerId);
  }

  forgetProject(project: string): void {
    this.lastListing.delete(project);
    this.listedAt.delete(project);
    this.changes.delete(project);
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
