// `composed ps` shows the image as the compose file names it, as docker compose does, on every
// engine: Podman 4.3.1 lists only the name it resolved (`docker.io/library/busybox:latest`), so the
// adapter keeps the written one in a label. Containers of a replica and of `run` alike.
import { expect, it } from 'vitest';
import type { ComposeContainer } from '../../src/protocol/compose-containers.js';
import { useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('ps on every engine', () => {
  const project = uniqueProjectName('psimage');
  const daemon = useDaemon(project);

  it('shows the image as the compose file writes it, for replicas and one-offs', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 0s
`);
    const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });
    expect((await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir })).code).toBe(0);
    const run = await cli('run', '-d', '--name', `${project}-job`, 'web', 'sleep', '3600');
    expect(run.code, run.stderr).toBe(0);

    const listed = await eventually(async () => {
      const ps = await cli('ps', '-a', '--format', 'json');
      const containers = ps.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ComposeContainer);
      expect(containers.map((c) => c.Name).sort()).toEqual([`${project}-job`, `${project}-web-1`]);
      return containers;
    });
    expect(listed.map((c) => c.Image)).toEqual([TEST_IMAGE, TEST_IMAGE]);
    const table = await cli('ps');
    const escaped = TEST_IMAGE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(table.stdout).toMatch(new RegExp(`^${project}-web-1\\s+${escaped}\\s+"sleep 3600"`, 'm'));
  });
});
