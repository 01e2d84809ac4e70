// Where a container's cumulative CPU time lives in the cgroup tree, for every engine and driver.
// First the kernel's own answer, /proc/<pid>/cgroup of the container's main process (right for any
// engine, driver, cgroup version and rootless setup, as long as this daemon sees the host's /proc);
// it is used only when the path names the container's id, so a pid from another namespace can never
// point at someone else's cgroup. Then the layouts engines are known to use:
//
// | engine, cgroup driver        | v1 (cpuacct controller dir)             | v2 (unified)                          |
// |------------------------------|-----------------------------------------|---------------------------------------|
// | Docker, cgroupfs             | docker/<id>                             | docker/<id>                           |
// | Docker, systemd              | system.slice/docker-<id>.scope          | system.slice/docker-<id>.scope        |
// | Podman, cgroupfs             | libpod_parent/libpod-<id>               | libpod_parent/libpod-<id>             |
// | Podman, systemd              | machine.slice/libpod-<id>.scope         | machine.slice/libpod-<id>.scope       |
// | rootless Docker / Podman     | -                                       | user.slice/user-<uid>.slice/user@<uid>.service/.../docker-<id>.scope or libpod-<id>.scope |
//
// Observed: docker.io 20.10.24 with cgroupfs on v1 (cpuacct/docker/<id>/cpuacct.usage) and Podman
// 4.3.1 with cgroupfs on v1 (/proc/<pid>/cgroup: `2:cpuacct:/libpod_parent/libpod-<id>`). The others
// are the engines' documented defaults, covered by fixture trees in the unit tests.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface CgroupRoots {
  /** Normally /sys/fs/cgroup. */
  cgroup: string;
  /** Normally /proc. */
  proc: string;
}

export const HOST_ROOTS: CgroupRoots = { cgroup: '/sys/fs/cgroup', proc: '/proc' };

/** A file holding cumulative CPU time: v1 `cpuacct.usage` (ns) or v2 `cpu.stat` (usage_usec). */
export interface CpuFile {
  path: string;
  format: 'cpuacct.usage' | 'cpu.stat';
}

/** cgroup v1 controller directories that hold cpuacct, as distributions mount them. */
const V1_CPUACCT_DIRS = ['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu'];

export function cpuNanos(file: CpuFile, text: string): number {
  return file.format === 'cpu.stat' ? nanosFromCpuStat(text) : Number(text.trim());
}

/** cgroup v2 cpu.stat: `usage_usec N`. */
export function nanosFromCpuStat(text: string): number {
  const match = /^usage_usec (\d+)$/m.exec(text);
  if (!match) throw new Error('cpu.stat has no usage_usec');
  return Number(match[1]) * 1000;
}

/** The cpu accounting file of container `id` (full 64-hex id), or undefined when none is visible. */
export async function findCpuFile(id: string, pid: number | undefined, roots: CgroupRoots = HOST_ROOTS): Promise<CpuFile | undefined> {
  const fromProc = pid && pid > 0 ? await fromProcCgroup(id, pid, roots) : undefined;
  if (fromProc) return fromProc;
  for (const file of knownLayouts(id, roots)) if (await isFile(file.path)) return file;
  return findRootless(id, roots);
}

/** Candidates from /proc/<pid>/cgroup: the cpuacct line on v1, the `0::` line on v2 (or hybrid's unified dir). */
async function fromProcCgroup(id: string, pid: number, roots: CgroupRoots): Promise<CpuFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(roots.proc, String(pid), 'cgroup'), 'utf8');
  } catch {
    return undefined;
  }
  const candidates: CpuFile[] = [];
  for (const line of text.split('\n')) {
    const [, , controllers = '', path = ''] = /^(\d+):([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (!path.includes(id)) continue;
    if (controllers.split(',').includes('cpuacct')) {
      for (const dir of V1_CPUACCT_DIRS) candidates.push({ path: join(roots.cgroup, dir, path, 'cpuacct.usage'), format: 'cpuacct.usage' });
    } else if (controllers === '') {
      candidates.push({ path: join(roots.cgroup, path, 'cpu.stat'), format: 'cpu.stat' });
      candidates.push({ path: join(roots.cgroup, 'unified', path, 'cpu.stat'), format: 'cpu.stat' });
    }
  }
  for (const file of candidates) if (await hasCpuTime(file)) return file;
  return undefined;
}

function knownLayouts(id: string, roots: CgroupRoots): CpuFile[] {
  const groups = [`docker/${id}`, `system.slice/docker-${id}.scope`, `libpod_parent/libpod-${id}`, `machine.slice/libpod-${id}.scope`];
  const v1 = V1_CPUACCT_DIRS.flatMap((dir) => groups.map((g) => ({ path: join(roots.cgroup, dir, g, 'cpuacct.usage'), format: 'cpuacct.usage' as const })));
  const v2 = groups.map((g) => ({ path: join(roots.cgroup, g, 'cpu.stat'), format: 'cpu.stat' as const }));
  return [...v1, ...v2];
}

/** Rootless engines put containers under the user's systemd manager; the depth below it varies. */
async function findRootless(id: string, roots: CgroupRoots): Promise<CpuFile | undefined> {
  const names = new Set([`docker-${id}.scope`, `libpod-${id}.scope`]);
  const search = async (dir: string, depth: number): Promise<string | undefined> => {
    if (depth === 0) return undefined;
    let entries: string[];
    try {
      entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return undefined;
    }
    const hit = entries.find((name) => names.has(name));
    if (hit) return join(dir, hit);
    for (const name of entries.filter((n) => n.endsWith('.slice') || n.endsWith('.service')).sort()) {
      const found = await search(join(dir, name), depth - 1);
      if (found) return found;
    }
    return undefined;
  };
  const scope = await search(join(roots.cgroup, 'user.slice'), 6);
  return scope ? { path: join(scope, 'cpu.stat'), format: 'cpu.stat' } : undefined;
}

async function hasCpuTime(file: CpuFile): Promise<boolean> {
  try {
    return Number.isFinite(cpuNanos(file, await readFile(file.path, 'utf8')));
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
