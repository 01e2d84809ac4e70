// The engine calls behind `composed kill|pause|unpause|top|stats|ps`: one engine conversation each.
import type Docker from 'dockerode';
import type { ProcessTable, PsEntry, ResourceUsage } from '../ports/interactive.js';
import { classify, engineMessage, statusOf } from './errors.js';
import { LABEL_IMAGE } from '../core/labels.js';
import { labelFilter, labelsMatch } from './label-match.js';

export async function killContainer(docker: Docker, id: string, signal: string): Promise<void> {
  try {
    await docker.getContainer(id).kill({ signal });
  } catch (error) {
    // Killing a container that already stopped is what the user wanted: nothing to do.
    if (statusOf(error) === 409 && /is not running/i.test(engineMessage(error))) return;
    throw classify(error, `kill container ${id}`);
  }
}

export async function setPaused(docker: Docker, id: string, paused: boolean): Promise<void> {
  try {
    if (paused) await docker.getContainer(id).pause();
    else await docker.getContainer(id).unpause();
  } catch (error) {
    throw classify(error, `${paused ? 'pause' : 'unpause'} container ${id}`);
  }
}

export async function topContainer(docker: Docker, id: string): Promise<ProcessTable> {
  try {
    const top = (await docker.getContainer(id).top()) as { Titles?: string[]; Processes?: string[][] };
    return { titles: top.Titles ?? [], processes: top.Processes ?? [] };
  } catch (error) {
    throw classify(error, `list the processes of ${id}`);
  }
}

interface StatsBody {
  cpu_stats: { cpu_usage: { total_usage: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: MemoryStats;
  pids_stats?: { current?: number };
}

export interface MemoryStats {
  usage?: number;
  limit?: number;
  stats?: Record<string, number>;
}

/** docker stats' memory: usage less the inactive page cache (v2 `inactive_file`, v1 `total_inactive_file`). */
export function memoryWithoutCache(m: MemoryStats): number {
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  return Math.max(0, (m.usage ?? 0) - cache);
}

/** docker stats' formulas: CPU over the engine's two samples, memory without the page cache. */
export async function resourceUsage(docker: Docker, id: string): Promise<ResourceUsage> {
  let s: StatsBody;
  try {
    s = (await docker.getContainer(id).stats({ stream: false })) as unknown as StatsBody;
  } catch (error) {
    throw classify(error, `stats of ${id}`);
  }
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
  return {
    cpuPercent: systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
    memoryBytes: memoryWithoutCache(s.memory_stats),
    memoryLimitBytes: s.memory_stats.limit ?? 0,
    pids: s.pids_stats?.current ?? 0,
  };
}

export async function psEntries(docker: Docker, labels: Record<string, string>): Promise<PsEntry[]> {
  let list: Docker.ContainerInfo[];
  try {
    list = await docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
  } catch (error) {
    throw classify(error, 'list containers');
  }
  // The filter only narrows (label-match.ts): `composed rm` removes what this returns.
  return list
    .filter((c) => labelsMatch(c.Labels, labels))
    .map((c): PsEntry => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      // As the compose file names it, as docker compose shows it; containers made before the label, as the engine has it.
      image: c.Labels[LABEL_IMAGE] ?? c.Image,
      imageId: c.ImageID,
      command: c.Command,
      createdAt: c.Created * 1000,
      state: c.State,
      status: c.Status,
      health: /\((healthy|unhealthy|health: starting)\)/.exec(c.Status)?.[1]?.replace('health: ', '') ?? '',
      exitCode: Number(/^Exited \((\d+)\)/.exec(c.Status)?.[1] ?? 0),
      labels: c.Labels,
      ports: c.Ports.map((p) => ({ url: p.IP ?? '', targetPort: p.PrivatePort, publishedPort: p.PublicPort ?? 0, protocol: p.Type })),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
