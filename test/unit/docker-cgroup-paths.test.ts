// The cgroup file of a container on every engine, driver and cgroup version, on fixture trees laid
// out as each engine lays them out.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuNanos, findCpuFile, type CgroupRoots } from '../../src/daemon/docker/cgroup-paths.js';

const ID = 'a'.repeat(40) + '0123456789abcdef01234567';
const OTHER = 'b'.repeat(64);
const V1 = '123456789';
const V2 = 'usage_usec 4200\nuser_usec 4000\nsystem_usec 200\n';

/** A fresh cgroup and proc root with the given files (paths relative to the cgroup root, or `proc/...`). */
async function tree(files: Record<string, string>): Promise<CgroupRoots> {
  const base = await mkdtemp(join(tmpdir(), 'composed-cgroup-'));
  const roots = { cgroup: join(base, 'sys/fs/cgroup'), proc: join(base, 'proc') };
  await mkdir(roots.cgroup, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    const full = path.startsWith('proc/') ? join(base, path) : join(roots.cgroup, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return roots;
}

async function nanosFound(roots: CgroupRoots, pid?: number): Promise<{ path: string; nanos: number } | undefined> {
  const file = await findCpuFile(ID, pid, roots);
  if (!file) return undefined;
  return { path: file.path.slice(roots.cgroup.length + 1), nanos: cpuNanos(file, await readFile(file.path, 'utf8')) };
}

describe('finding a container cgroup CPU file', () => {
  const layouts: Array<[string, string, string, number]> = [
    ['Docker cgroupfs, v1', `cpuacct/docker/${ID}/cpuacct.usage`, V1, 123456789],
    ['Docker cgroupfs, v1 with a joint cpu,cpuacct mount', `cpu,cpuacct/docker/${ID}/cpuacct.usage`, V1, 123456789],
    ['Docker systemd driver, v1', `cpu,cpuacct/system.slice/docker-${ID}.scope/cpuacct.usage`, V1, 123456789],
    ['Docker systemd driver, v2', `system.slice/docker-${ID}.scope/cpu.stat`, V2, 4_200_000],
    ['Docker cgroupfs, v2', `docker/${ID}/cpu.stat`, V2, 4_200_000],
    ['Podman cgroupfs, v1', `cpuacct/libpod_parent/libpod-${ID}/cpuacct.usage`, V1, 123456789],
    ['Podman cgroupfs, v2', `libpod_parent/libpod-${ID}/cpu.stat`, V2, 4_200_000],
    ['Podman systemd, v1', `cpu,cpuacct/machine.slice/libpod-${ID}.scope/cpuacct.usage`, V1, 123456789],
    ['Podman systemd, v2', `machine.slice/libpod-${ID}.scope/cpu.stat`, V2, 4_200_000],
    ['rootless Docker, v2', `user.slice/user-1000.slice/user@1000.service/app.slice/docker.service/docker-${ID}.scope/cpu.stat`, V2, 4_200_000],
    ['rootless Podman, v2', `user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/cpu.stat`, V2, 4_200_000],
  ];

  for (const [name, path, content, nanos] of layouts) {
    it(`${name}: by its known layout`, async () => {
      expect(await nanosFound(await tree({ [path]: content }))).toEqual({ path, nanos });
    });
  }

  it('follows /proc/<pid>/cgroup first: Podman v1 as observed (2:cpuacct:/libpod_parent/libpod-<id>)', async () => {
    const roots = await tree({
      'proc/7614/cgroup': `9:name=systemd:/libpod_parent/libpod-${ID}\n2:cpuacct:/libpod_parent/libpod-${ID}\n1:cpu:/libpod_parent/libpod-${ID}\n0::/libpod_parent/libpod-${ID}\n`,
      [`cpuacct/libpod_parent/libpod-${ID}/cpuacct.usage`]: V1,
    });
    expect(await nanosFound(roots, 7614)).toEqual({ path: `cpuacct/libpod_parent/libpod-${ID}/cpuacct.usage`, nanos: 123456789 });
  });

  it('follows /proc/<pid>/cgroup to a layout no table lists (v2, a custom cgroup parent)', async () => {
    const roots = await tree({
      'proc/42/cgroup': `0::/custom.slice/engine/ctr-${ID}\n`,
      [`custom.slice/engine/ctr-${ID}/cpu.stat`]: V2,
    });
    expect(await nanosFound(roots, 42)).toEqual({ path: `custom.slice/engine/ctr-${ID}/cpu.stat`, nanos: 4_200_000 });
  });

  it("ignores a pid whose cgroup does not name the container (another pid namespace's process)", async () => {
    const roots = await tree({ 'proc/42/cgroup': `0::/system.slice/docker-${OTHER}.scope\n`, [`system.slice/docker-${OTHER}.scope/cpu.stat`]: V2 });
    expect(await findCpuFile(ID, 42, roots)).toBeUndefined();
  });

  it('finds nothing where no cgroup is visible (the stats API is then the source)', async () => {
    expect(await findCpuFile(ID, 1, await tree({}))).toBeUndefined();
  });
});
