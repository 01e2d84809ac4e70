// Roll-outs end to end: edits to the compose file roll out by themselves, without downtime.
import { writeFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import { type DaemonHandle, projectStatus, serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, dockerForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { httpGet } from '../support/http.js';

const docker = dockerForTests();



async function ids(daemon: DaemonHandle, project: string, name: string): Promise<string[]> {
  return (await serviceStatus(daemon, project, name)).replicas.map((r) => r.containerId ?? '');
}

function compose(project: string, opts: { greeting: string; replicas?: number; autoscaleMax?: number; healthy?: boolean }): string {
  const autoscale = opts.autoscaleMax ? `x-composed: { autoscale: { min: 1, max: ${opts.autoscaleMax}, cpu: { target: 90 }, interval: 1s } }` : '';
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo $$GREETING > /www/index.html && ${opts.healthy === false ? 'rm -f /www/index.html && ' : ''}exec httpd -f -p 80 -h /www"]
    environment: { GREETING: ${opts.greeting} }
    ports: ["127.0.0.1::80"]
    stop_grace_period: 2s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, retries: 2, timeout: 2s }
    deploy: { replicas: ${opts.replicas ?? 2}, update_config: { monitor: 500ms } }
    ${autoscale}
  other:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
`;
}

/** The 127.0.0.1 port the engine published for a container's port 80 (cached: it never changes). */
const portCache = new Map<string, number>();
async function publishedPort(containerId: string): Promise<number> {
  let port = portCache.get(containerId);
  if (port === undefined) {
    const info = await docker.getContainer(containerId).inspect();
    port = Number(info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
    portCache.set(containerId, port);
  }
  return port;
}


/** A client of the service: each request goes to a ready replica, as a balancer would send it. */
function pollService(daemon: DaemonHandle, project: string) {
  const seen: string[] = [];
  const failures: string[] = [];
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop && i < 5_000; i++) {
      const ready = (await serviceStatus(daemon, project, 'web')).replicas.filter((r) => r.ready && r.containerId);
      const target = ready[i % Math.max(1, ready.length)];
      if (!target) {
        failures.push('no ready replica');
      } else {
        try {
          seen.push(await httpGet(await publishedPort(target.containerId!), { timeoutMs: 2_000 }));
        } catch (error) {
          failures.push(`${target.name}: ${(error as Error).message}`);
        }
      }
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  return { seen, failures, stop: async () => ((stop = true), await done) };
}

describeWithEngine('roll-outs: edits to the file roll out by themselves', () => {
  const project = uniqueProjectName('roll');
  const daemon = useDaemon(project);
  let file: string;
  let dir: string;

  beforeAll(async () => {
    ({ dir, file } = await writeProject(compose(project, { greeting: 'v1' })));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });


  it('an environment change replaces only that service, one replica at a time, with no failed request', async () => {
    const otherBefore = await ids(daemon, project, 'other');
    const webBefore = await ids(daemon, project, 'web');
    const client = pollService(daemon, project);
    await eventually(async () => expect(client.seen).toContain('v1'));
    await writeFile(file, compose(project, { greeting: 'v2' }));
    const after = await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.replicas.map((r) => r.containerId)).not.toContain(webBefore[0]);
        expect(web.replicas.map((r) => r.containerId)).not.toContain(webBefore[1]);
        expect(web.ready).toBe(2);
        return web;
      },
      { timeoutMs: 60_000 },
    );
    await client.stop();
    expect(client.failures).toEqual([]);
    expect(client.seen).toContain('v2');
    expect(await ids(daemon, project, 'other')).toEqual(otherBefore);
    expect(after.replicas.map((r) => r.name)).toEqual([`${project}-web-1`, `${project}-web-2`]);

    // One at a time: replica 2's new container started only after replica 1's took over.
    const events = await eventsOf(daemon, project);
    const steps = events.filter((e) => e.type === 'rollout' && e.replica).map((e) => `${e.replica}:${e.message.split(':')[0]}`);
    expect(steps).toEqual([
      '1:starting the new config beside the old',
      '1:new container takes over',
      '2:starting the new config beside the old',
      '2:new container takes over',
    ]);
  });

  it('changing only deploy.replicas or x-composed.autoscale recreates nothing', async () => {
    const before = await ids(daemon, project, 'web');
    await writeFile(file, compose(project, { greeting: 'v2', replicas: 3 }));
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).ready).toBe(3), { timeoutMs: 30_000 });
    expect((await ids(daemon, project, 'web')).slice(0, 2)).toEqual(before);
    await writeFile(file, compose(project, { greeting: 'v2', replicas: 3, autoscaleMax: 4 }));
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).autoscale?.max).toBe(4), { timeoutMs: 30_000 });
    expect((await ids(daemon, project, 'web')).slice(0, 2)).toEqual(before);
    await writeFile(file, compose(project, { greeting: 'v2' }));
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).running).toBe(2), { timeoutMs: 30_000 });
    // Replica 3 is stopped first and removed after: Podman 4.3.1 takes longer than Docker between
    // the two, and status lists it (exited) meanwhile.
    await eventually(async () => expect(await ids(daemon, project, 'web')).toEqual(before), { timeoutMs: 30_000 });
  });

  it('a broken file keeps everything running and shows the error; fixing it rolls out', async () => {
    const before = await ids(daemon, project, 'web');
    await writeFile(file, compose(project, { greeting: 'v3' }).replace('ports:', 'portz:'));
    const broken = await eventually(async () => {
      const s = await projectStatus(daemon, project);
      expect(s.configErrors.length).toBeGreaterThan(0);
      return s;
    });
    expect(broken.configErrors[0]).toMatchObject({ path: 'services.web.portz' });
    expect(broken.configErrors[0]?.message).toMatch(/did you mean "ports"/);
    const human = await daemon.cli(['status', '-p', project]);
    expect(human.stdout).toMatch(/config error: .*compose\.yaml:\d+:\d+ services\.web\.portz/);
    expect(await ids(daemon, project, 'web')).toEqual(before);

    await writeFile(file, compose(project, { greeting: 'v3' }));
    await eventually(
      async () => {
        const s = await projectStatus(daemon, project);
        expect(s.configErrors).toEqual([]);
        const web = s.services.find((x) => x.name === 'web')!;
        expect(web.replicas.every((r) => !before.includes(r.containerId ?? ''))).toBe(true);
        expect(web.ready).toBe(2);
      },
      { timeoutMs: 60_000 },
    );
  });

  it('a new config that fails its healthcheck is rolled back; the old replicas keep serving', async () => {
    const before = await ids(daemon, project, 'web');
    const client = pollService(daemon, project);
    await writeFile(file, compose(project, { greeting: 'v4', healthy: false }));
    const web = await eventually(
      async () => {
        const s = await serviceStatus(daemon, project, 'web');
        expect(s.message ?? '').toMatch(/rolled back/);
        return s;
      },
      { timeoutMs: 60_000 },
    );
    await client.stop();
    expect(web.message).toMatch(/unhealthy/);
    expect(client.failures).toEqual([]);
    expect(client.seen.every((body) => body === 'v3')).toBe(true);
    await eventually(async () => expect(await ids(daemon, project, 'web')).toEqual(before), { timeoutMs: 30_000 });
  });
});

async function eventsOf(daemon: DaemonHandle, project: string): Promise<DaemonEvent[]> {
  const events: DaemonEvent[] = [];
  for await (const e of daemon.client.lines<DaemonEvent>(`/v1/events?since=0&project=${project}`)) events.push(e);
  return events;
}
