// Engine container JSON -> our ContainerSummary / ContainerDetails.
import type Docker from 'dockerode';
import type { ContainerDetails, ContainerState, ContainerSummary, HealthState } from '../ports/runtime.js';

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/**
 * Podman 4.3.1 lists and inspects libpod's own states (docker/README.md): `stopping` while a stop
 * waits for the process (still alive, ExitCode 0), `stopped` once it died and before its cleanup,
 * `configured` and `initialized` before the first start. Taken for dead, a replica being stopped
 * was replaced at once with "exited 0" recorded, before it had even died.
 */
const PODMAN_STATES: Readonly<Record<string, ContainerState>> = {
  stopping: 'running',
  stopped: 'exited',
  configured: 'created',
  initialized: 'created',
};

export function toState(state: string | undefined): ContainerState {
  return STATES.find((s) => s === state) ?? (state !== undefined ? PODMAN_STATES[state] : undefined) ?? 'dead';
}

function toHealth(status: string | undefined): HealthState {
  return status === 'starting' || status === 'healthy' || status === 'unhealthy' ? status : 'none';
}

/** RFC 3339 -> epoch ms; the engine writes 0001-01-01T00:00:00Z for "never". */
export function epochMs(time: string | undefined): number {
  if (!time || time.startsWith('0001-01-01')) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Health is 'none' here: the list carries no health an engine agrees on (health-reader.ts fills it in). */
export function toSummary(c: Docker.ContainerInfo): ContainerSummary {
  return {
    id: c.Id,
    name: (c.Names[0] ?? '').replace(/^\//, ''),
    labels: c.Labels ?? {},
    state: toState(c.State),
    health: 'none',
    imageId: c.ImageID,
    createdAt: c.Created * 1000,
    addresses: addressesOf(c.NetworkSettings?.Networks),
  };
}

interface HealthLogEntry {
  ExitCode: number;
  Output: string;
  End: string;
}

/** Health log entries as our port has them (the daemon's own probes pass theirs in `probed`). */
type HealthLog = ContainerDetails['healthLog'];

export function toDetails(c: Docker.ContainerInspectInfo, probed?: { status?: string; log: HealthLog }): ContainerDetails {
  const engine = c.State.Health as { Status?: string; Log?: HealthLogEntry[] | null } | undefined;
  const health = probed ?? {
    status: engine?.Status,
    log: (engine?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output, end: epochMs(l.End) })),
  };
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    labels: c.Config.Labels ?? {},
    state: toState(c.State.Status),
    health: toHealth(health.status),
    imageId: c.Image,
    createdAt: epochMs(c.Created),
    exitCode: c.State.ExitCode,
    oomKilled: c.State.OOMKilled,
    startedAt: epochMs(c.State.StartedAt),
    finishedAt: epochMs(c.State.FinishedAt),
    healthLog: health.log,
    mounts: (c.Mounts ?? []).map((m) => ({
      type: m.Type,
      ...(m.Name ? { name: m.Name } : {}),
      source: m.Source,
      destination: m.Destination,
    })),
    addresses: addressesOf(c.NetworkSettings.Networks),
  };
}

function addressesOf(networks: Record<string, { IPAddress: string }> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(networks ?? {}).filter(([, n]) => n.IPAddress).map(([name, n]) => [name, n.IPAddress]));
}
