// Cumulative CPU time per container: its cgroup file when this daemon can see it (cgroup-paths.ts
// finds it for every engine and driver), else one-shot stats. Measured here (2 cores, cgroup v1):
// - docker.io 20.10, cgroupfs: cpuacct/docker/<id>/cpuacct.usage ~1.5 ms per read even through
//   `cat` with a fork; GET /containers/<id>/stats?stream=false&one-shot=true ~950 ms per call, the
//   same without one-shot ~2 s (the engine waits for a second sample);
// - Podman 4.3.1, cgroupfs: cpuacct/libpod_parent/libpod-<id>/cpuacct.usage; its stats call ~0.23 s.
// The file's path is found once per container (one inspect for the pid) and then only read.
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { CpuSample } from '../ports/runtime.js';
import { cpuNanos, findCpuFile, HOST_ROOTS, type CgroupRoots, type CpuFile } from './cgroup-paths.js';
import { isNotFound } from './errors.js';

export type CpuSource = 'cgroup' | 'stats-api';

/** Containers whose cgroup file (or its absence) is remembered; beyond that the memory starts over. */
const MAX_REMEMBERED = 10_000;

export class CpuSampler {
  /** Per full container id: its cgroup file, or 'api' when none was visible. */
  private readonly sources = new Map<string, CpuFile | 'api'>();

  constructor(
    private readonly docker: Docker,
    private readonly roots: CgroupRoots = HOST_ROOTS,
  ) {}

  /** Undefined when the container is gone or not running (no cgroup, no stats). */
  async sample(id: string): Promise<CpuSample | undefined> {
    const known = this.sources.get(id);
    if (known && known !== 'api') {
      const sample = await readCpuFile(known);
      if (sample) return sample;
      this.sources.delete(id);
    }
    const info = await this.inspectRunning(id);
    if (!info) return undefined;
    let source = this.sources.get(info.Id);
    if (!source) {
      source = (await findCpuFile(info.Id, info.State.Pid, this.roots)) ?? 'api';
      if (this.sources.size >= MAX_REMEMBERED) this.sources.clear();
      this.sources.set(info.Id, source);
    }
    if (source !== 'api') return readCpuFile(source);
    return this.fromStatsApi(info.Id);
  }

  /** Which source the last sample of a container came from (for tests and diagnostics). */
  sourceOf(id: string): CpuSource | undefined {
    const source = this.sources.get(id);
    return source === undefined ? undefined : source === 'api' ? 'stats-api' : 'cgroup';
  }

  private async fromStatsApi(id: string): Promise<CpuSample | undefined> {
    try {
      // one-shot (API 1.41+) skips the engine's one-second wait for a second sample.
      const stats = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as {
        cpu_stats?: { cpu_usage?: { total_usage?: number } };
      };
      const total = stats.cpu_stats?.cpu_usage?.total_usage;
      return typeof total === 'number' && total > 0 ? { cpuNanos: total, atNanos: now() } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async inspectRunning(id: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return info.State.Running ? info : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/** The file exists only while the container runs: undefined once it is gone. */
async function readCpuFile(file: CpuFile): Promise<CpuSample | undefined> {
  try {
    const nanos = cpuNanos(file, await readFile(file.path, 'utf8'));
    return Number.isFinite(nanos) ? { cpuNanos: nanos, atNanos: now() } : undefined;
  } catch {
    return undefined;
  }
}

function now(): number {
  return Number(process.hrtime.bigint());
}
