// Following image tags against a real registry (Debian's docker-registry, started by
// scripts/setup-registry.sh on 127.0.0.1): images built from busybox are pushed under one tag, and
// the daemon rolls each new digest out behind the balancer, rolls a broken one back and never
// retries it, leaves digest pins alone and rides out a registry that does not answer.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServiceStatus } from '../../src/protocol/api.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { httpGet } from '../support/http.js';
import { describeWithRegistry, docker, pushImage, REGISTRY } from '../support/registry.js';
import { steadyLoad } from '../support/steady-load.js';

/** The pinned service and the one behind the unreachable registry only idle. */
const IDLE = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;

function compose(project: string, port: number, app: string, pinned: string, away: string): string {
  return `
name: ${project}
x-composed:
  update: { policy: auto, interval: 2s }
services:
  web:
    image: ${app}
    ports: ["127.0.0.1:${port}:80"]
    healthcheck: { test: ["CMD", "test", "-f", "/healthy"], interval: 500ms, retries: 2 }
    stop_grace_period: 2s
    deploy: { replicas: 2, update_config: { monitor: 3s }, restart_policy: { delay: 0s } }
  pinned:
    image: ${pinned}
    command: ${IDLE}
    stop_grace_period: 1s
  away:
    image: ${away}
    command: ${IDLE}
    stop_grace_period: 1s
    x-composed: { update: { policy: auto, interval: 1s } }
`;
}

const follow = (s: ServiceStatus) => s.tagFollow;

describeWithRegistry('following image tags against a real registry', () => {
  const project = uniqueProjectName('follow');
  const daemon = useDaemon(project);
  const repo = `${REGISTRY}/${project}/app`;
  const app = `${repo}:latest`;
  const pinnedRepo = `${REGISTRY}/${project}/pinned`;
  /** Under a registry address nothing listens on: a registry that is down. */
  let awayImage: string;
  let port: number;
  let dir: string;
  const digests: Record<string, string> = {};
  let pinnedContainer: string;

  beforeAll(async () => {
    port = await freePort();
    awayImage = `127.0.0.1:${await freePort()}/${project}/away:latest`;
    digests.v1 = pushImage(app, 'v1');
    const pinnedDigest = pushImage(`${pinnedRepo}:latest`, 'pinned-1');
    docker('tag', TEST_IMAGE, awayImage);
    ({ dir } = await writeProject(compose(project, port, app, `${pinnedRepo}@${pinnedDigest}`, awayImage)));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    pinnedContainer = (await serviceStatus(daemon, project, 'pinned')).replicas[0]!.containerId!;
  });

  afterAll(async () => {
    // useDaemon's own cleanup runs after this hook; until then the daemon would replace the removed
    // containers, pulling the tag again, and the images are in use.
    await daemon.stop();
    await cleanupProject(project);
    const pinnedRefs = docker('images', '--digests', '--format', '{{.Repository}}@{{.Digest}}', pinnedRepo).split('\n').filter((r) => r.includes('@sha256:'));
    for (const ref of [app, `${pinnedRepo}:latest`, awayImage, ...pinnedRefs, ...Object.values(digests).map((d) => `${repo}@${d}`)]) {
      try {
        docker('rmi', '-f', ref);
      } catch {
        // already gone: the follower prunes old digests itself
      }
    }
  });

  it('shows the running digest and the tag\'s latest after the first check', async () => {
    await eventually(async () => {
      const t = follow(await serviceStatus(daemon, project, 'web'));
      expect(t?.runningDigest).toBe(digests.v1);
      expect(t?.latestDigest).toBe(digests.v1);
      expect(t?.updateAvailable).toBe(false);
    });
    expect(await httpGet(port)).toBe('v1');
  });

  it('rolls a new digest under the tag out behind the balancer without failing a request', async () => {
    const load = steadyLoad(port);
    digests.v2 = pushImage(app, 'v2');
    await eventually(
      async () => {
        const t = follow(await serviceStatus(daemon, project, 'web'));
        expect(t?.last?.state).toBe('updated');
        expect(t?.runningDigest).toBe(digests.v2);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    await load.stop();
    expect(load.errors).toEqual([]);
    expect(load.answers.length).toBeGreaterThan(50);
    expect(load.answers).toContain('v1');
    expect(load.answers.at(-1)).toBe('v2');
    const web = await serviceStatus(daemon, project, 'web');
    expect(web.replicas.map((r) => r.phase)).toEqual(['running', 'running']);
    const events = (await daemon.cli(['events', '--no-follow'], { cwd: dir })).stdout;
    expect(events).toMatch(/\/web image: .*moved from \w{12} to \w{12}: pulled, rolling out/);
    expect(events).toMatch(/\/web rollout: new image under the tag: rolling out replica by replica/);
  });

  it('rolls back an image whose replicas exit, and never tries that digest again', async () => {
    digests.exits = pushImage(app, 'v3', { cmd: '["sh", "-c", "sleep 1; exit 1"]' });
    const t = await eventually(
      async () => {
        const t = follow(await serviceStatus(daemon, project, 'web'))!;
        expect(t.last?.state).toBe('rolled-back');
        expect(t.rejected).toContain(digests.exits);
        return t;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(t.last?.message).toMatch(/exited with code 1/);
    // Stays rolled back: two more checks see the rejected digest and change nothing.
    const checked = Date.parse(t.checkedAt!);
    await eventually(async () => {
      const now = follow(await serviceStatus(daemon, project, 'web'))!;
      expect(Date.parse(now.checkedAt!)).toBeGreaterThan(checked + 2_000);
    }, { timeoutMs: 30_000 });
    const web = await serviceStatus(daemon, project, 'web');
    expect(web.tagFollow?.last?.state).toBe('rolled-back');
    expect(web.tagFollow?.runningDigest).toBe(digests.v2);
    expect(web.tagFollow?.updateAvailable).toBe(false);
    expect(web.rollout?.state).toBe('rolled-back');
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).ready).toBe(2));
    expect(await httpGet(port)).toBe('v2');
    const check = await daemon.cli(['update', '--check', 'web'], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/web: rejected: .*failed and was rolled back: not retried/);
  });

  it('rolls back an image that fails its healthcheck', async () => {
    digests.unhealthy = pushImage(app, 'v4', { healthy: false });
    await eventually(
      async () => {
        const t = follow(await serviceStatus(daemon, project, 'web'))!;
        expect(t.rejected).toContain(digests.unhealthy);
        expect(t.last?.state).toBe('rolled-back');
        expect(t.last?.message).toMatch(/unhealthy/);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).ready).toBe(2));
    expect(await httpGet(port)).toBe('v2');
  });

  it('after a good update, removes the image the rollback no longer needs and keeps the one it does', async () => {
    digests.v5 = pushImage(app, 'v5');
    await eventually(
      async () => {
        const t = follow(await serviceStatus(daemon, project, 'web'))!;
        expect(t.last?.state).toBe('updated');
        expect(t.runningDigest).toBe(digests.v5);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    expect(await httpGet(port)).toBe('v5');
    // v2 is what a rollback of v5 returns to; v1 no container uses any more.
    expect(() => docker('image', 'inspect', `${repo}@${digests.v2}`)).not.toThrow();
    await eventually(() => expect(() => docker('image', 'inspect', `${repo}@${digests.v1}`)).toThrow());
  });

  it('never follows a digest pin', async () => {
    pushImage(`${pinnedRepo}:latest`, 'pinned-2');
    const pinned = await serviceStatus(daemon, project, 'pinned');
    expect(pinned.tagFollow).toBeUndefined();
    expect(pinned.replicas[0]?.containerId).toBe(pinnedContainer);
    const check = await daemon.cli(['update', '--check', 'pinned'], { cwd: dir });
    expect(check.stdout).toMatch(/pinned: not-followed: the image is pinned by digest/);
  });

  it('a registry that does not answer only delays the next check; the service keeps running', async () => {
    const away = await eventually(async () => {
      const s = await serviceStatus(daemon, project, 'away');
      expect(s.tagFollow?.checkError).toMatch(/not reachable/);
      return s;
    });
    expect(away.phase).toBe('running');
    expect(Date.parse(away.tagFollow!.nextCheckAt!)).toBeGreaterThan(Date.parse(away.tagFollow!.checkedAt!));
    const table = (await daemon.cli(['status'], { cwd: dir })).stdout;
    expect(table).toMatch(/image away: .* last check failed, next in \S+: registry not reachable/);
    const check = await daemon.cli(['update', '--check'], { cwd: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/away: failed: registry not reachable/);
    expect((await serviceStatus(daemon, project, 'away')).replicas[0]?.phase).toBe('running');
  });
});
