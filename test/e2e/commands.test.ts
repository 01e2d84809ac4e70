// The per-service commands as a user types them, and `docker stop` under unless-stopped vs always.
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import type { ProjectStatus, ServiceStatus } from '../../src/protocol/api.js';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { engineKind } from '../engines/engine-kind.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('commands: scale, stop, start, restart, ps, logs, and docker stop', () => {
  const project = uniqueProjectName('cmd');
  const daemon = useDaemon(project);
  let dir: string;

  const service = async (name: string): Promise<ServiceStatus> =>
    (await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`)).services.find((s) => s.name === name)!;

  beforeAll(async () => {
    ({ dir } = await writeProject(`
name: ${project}
services:
  always:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo ready; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  keeper:
    image: ${TEST_IMAGE}
    restart: unless-stopped
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  watcher:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
  flaky:
    image: ${TEST_IMAGE}
    restart: on-failure:1
    command: ["sh", "-c", "exit 5"]
    deploy: { restart_policy: { condition: on-failure, max_attempts: 1, delay: 0s } }
`));
    const up = await daemon.cli(['up'], { cwd: dir });
    expect(up.code, up.stderr + up.stdout).toBe(0);
    await eventually(async () => expect((await service('always')).ready).toBe(1));
  });


  it('docker stop: replaced under always, left stopped under unless-stopped', async () => {
    const always = (await service('always')).replicas[0]!.containerId!;
    const keeper = (await eventually(async () => (await service('keeper')).replicas[0]!.containerId!))!;
    docker('stop', always, keeper);
    await eventually(async () => {
      const a = await service('always');
      expect(a.replicas[0]?.containerId).not.toBe(always);
      expect(a.ready).toBe(1);
    });
    if ((await engineKind()) === 'podman') {
      // Podman 4.3.1 sends no `stop` event for `docker stop` (only `die`) and its inspect records
      // nothing that tells a user's stop from a crash: unless-stopped there acts like always.
      await eventually(async () => expect((await service('keeper')).replicas[0]?.containerId).not.toBe(keeper));
      return;
    }
    const k = await eventually(async () => {
      const s = await service('keeper');
      expect(s.replicas[0]?.reason).toMatch(/stopped by a user \(unless-stopped\)/);
      return s;
    });
    expect(k.replicas[0]).toMatchObject({ containerId: keeper, phase: 'stopped' });
  });

  it('scale up and down by number, ps lists the replicas', async () => {
    expect((await daemon.cli(['scale', 'always=3'], { cwd: dir })).stdout).toBe('always scaled to 3\n');
    await eventually(async () => expect((await service('always')).ready).toBe(3));
    const ps = await daemon.cli(['ps'], { cwd: dir });
    expect(ps.stdout).toMatch(new RegExp(`^${project}-always-3\\s+busybox:latest\\s+"sh -c .*"\\s+always\\s+.* ago\\s+Up `, 'm'));
    expect((await daemon.cli(['scale', 'always=1'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await service('always')).replicas.map((r) => r.name)).toEqual([`${project}-always-1`]));
    const bad = await daemon.cli(['scale', 'always=lots'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"always=lots" is not SERVICE=REPLICAS');
  });

  it('stop keeps a service stopped (no replacement) until start', async () => {
    expect((await daemon.cli(['stop', 'always'], { cwd: dir })).code).toBe(0);
    await eventually(async () => {
      const s = await service('always');
      expect(s.phase).toBe('stopped');
      expect(s.running).toBe(0);
    });
    expect((await daemon.cli(['start', 'always'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await service('always')).ready).toBe(1));
  });

  it('a service that gave up shows failed; restart clears it and tries again', async () => {
    const failed = await eventually(async () => {
      const s = await service('flaky');
      expect(s.phase).toBe('failed');
      return s;
    });
    expect(failed.restarts).toBe(1);
    expect((await daemon.cli(['restart', 'flaky'], { cwd: dir })).stdout).toBe('flaky restarted\n');
    const again = await eventually(async () => {
      const s = await service('flaky');
      expect(s.restarts).toBeGreaterThanOrEqual(2);
      expect(s.phase).toBe('failed');
      return s;
    });
    expect(again.message).toMatch(/exited 5; gave up after 1 restart/);
  });

  it('status warns about a bind mount of the Docker socket, with its position', async () => {
    const status = await projectStatus(daemon, project);
    expect(status.warnings).toContainEqual(
      expect.objectContaining({ severity: 'warning', path: 'services.watcher.volumes[0]', message: expect.stringContaining('the Docker socket') }),
    );
    const human = await daemon.cli(['status'], { cwd: dir });
    expect(human.stdout).toMatch(/warning: .*compose\.yaml:\d+:\d+ services\.watcher\.volumes\[0\]: .*Docker socket/);
  });

  it('logs shows every replica prefixed by its name; status is coloured only when asked', async () => {
    const logs = await daemon.cli(['logs', '--tail', '5', 'always'], { cwd: dir });
    expect(logs.stdout).toMatch(/^always-1 \| ready$/m);
    const plain = await daemon.cli(['status'], { cwd: dir, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await daemon.cli(['status'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001b[32mrunning');
  });
});
