// The health of listed containers, from the source of truth instead of the list's Status text.
// docker.io 20.10.24's container list has no health field and appends "(healthy)" to Status;
// Podman 4.3.1's list says "Up 13 seconds" whatever the health, so every replica looked ready. The
// inspect's State.Health (or the daemon's own probes, see health-prober.ts) is what counts.
import type Docker from 'dockerode';
import { probeCommand, type EngineHealthcheck } from '../core/health-probe.js';
import type { ContainerSummary, HealthState } from '../ports/runtime.js';
import { isNotFound } from './errors.js';
import type { HealthProber } from './health-prober.js';

/** Inspects in flight at once during one listing. */
const CONCURRENCY = 8;
/** Container ids remembered as having no healthcheck (a container's config never changes). */
const MAX_REMEMBERED = 10_000;

export class HealthReader {
  private readonly withoutHealthcheck = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly prober: HealthProber,
  ) {}

  /** The listing with each container's health filled in: none unless running with a healthcheck. */
  async fill(containers: ContainerSummary[]): Promise<ContainerSummary[]> {
    const running = containers.filter((c) => c.state === 'running' && !this.withoutHealthcheck.has(c.id));
    const health = new Map<string, HealthState>();
    for (let i = 0; i < running.length; i += CONCURRENCY) {
      await Promise.all(running.slice(i, i + CONCURRENCY).map(async (c) => health.set(c.id, await this.healthOf(c.id))));
    }
    return containers.map((c) => ({ ...c, health: health.get(c.id) ?? 'none' }));
  }

  /** For an inspect the caller already holds: the daemon's probe state overrides the engine's. */
  override(info: Docker.ContainerInspectInfo): { status?: string; log: Array<{ exitCode: number; output: string; end: number }> } | undefined {
    const state = this.prober.stateOf(info.Id);
    if (!state) return undefined;
    return { status: state.status, log: state.log.map((r) => ({ exitCode: r.exitCode, output: r.output, end: r.end })) };
  }

  private async healthOf(id: string): Promise<HealthState> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (error) {
      // Gone since the listing: the next one will not show it.
      if (isNotFound(error)) return 'none';
      throw error;
    }
    if (!probeCommand((info.Config.Healthcheck as EngineHealthcheck | undefined)?.Test)) {
      if (this.withoutHealthcheck.size >= MAX_REMEMBERED) this.withoutHealthcheck.clear();
      this.withoutHealthcheck.add(id);
      return 'none';
    }
    this.prober.watch(info);
    const status = this.prober.stateOf(id)?.status ?? (info.State.Health as { Status?: string } | undefined)?.Status;
    return status === 'healthy' || status === 'unhealthy' ? status : 'starting';
  }
}
