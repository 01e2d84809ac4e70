// Autoscaling on what the balancer and the engine see, end to end: open connections through the
// balancer, memory against the limit, and a service scaled to zero woken by its first connection.
import { connect, type Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { httpGet } from '../support/http.js';

/** busybox httpd answering "hello"; an idle connection waits for a request header for a minute. */
const HTTPD = `mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 80 -h /www`;

function balanced(project: string, port: number, autoscale: string): string {
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${HTTPD}"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 0s
    x-composed:
      autoscale: ${autoscale}
`;
}

/** `count` TCP connections through the balancer, held open without a byte sent. */
async function holdConnections(port: number, count: number): Promise<Socket[]> {
  return Promise.all(
    Array.from({ length: count }, () => new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
      socket.once('error', reject);
    })),
  );
}

describeWithEngine('autoscale on open connections through the balancer', () => {
  const project = uniqueProjectName('conns');
  const daemon = useDaemon(project);
  let held: Socket[] = [];
  afterEach(() => held.forEach((s) => s.destroy()));

  it('scales 1 -> 3 while 6 idle connections are open, and back to 1 after they close and the window passes', async () => {
    const port = await freePort();
    const { dir } = await writeProject(balanced(project, port, '{ min: 1, max: 3, connections: { target: 2 }, interval: 1s, scale_down_stabilization: 4s }'));
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);

    held = await holdConnections(port, 6);
    const up = await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.desired).toBe(3);
        expect(web.ready).toBe(3);
        return web;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(up.autoscale?.metrics).toEqual([expect.objectContaining({ metric: 'connections', target: 2 })]);
    const events = await daemon.cli(['events', '--no-follow', '-p', project, '--json']);
    expect(events.stdout).toContain('connections 6 > target 2');

    // Three replicas with the 6 connections still on the first: the average is on target, it holds.
    const closedAt = Date.now();
    held.forEach((s) => s.destroy());
    const down = await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.desired).toBe(1);
        expect(web.running).toBe(1);
        return web;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // The last recommendation of 3 can predate the close by one interval (1 s): 4 s - 1 s.
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(3_000);
    expect(down.autoscale?.lastDecision?.reason).toMatch(/^connections 0 < target 2/);
  });
});

describeWithEngine('autoscale on memory', () => {
  const project = uniqueProjectName('mem');
  const daemon = useDaemon(project);

  it('a replica using half its memory limit against a 30 % target gets a second replica', async () => {
    // 32 MiB in /dev/shm: tmpfs pages are charged to the container's memory cgroup as shmem, on the
    // anonymous LRU lists, so docker stats' "usage less inactive_file" keeps them.
    const { dir } = await writeProject(`
name: ${project}
services:
  hog:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=32 && exec sleep 100000"]
    stop_grace_period: 0s
    deploy: { resources: { limits: { memory: 64m } } }
    x-composed:
      autoscale: { min: 1, max: 2, memory: { target: 30 }, interval: 1s }
`);
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    const hog = await eventually(
      async () => {
        const s = await serviceStatus(daemon, project, 'hog');
        expect(s.desired).toBe(2);
        return s;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(hog.autoscale?.lastDecision?.metric).toBe('memory');
    expect(hog.autoscale?.lastDecision?.reason).toMatch(/^memory (\d+)% > target 30%/);
  });
});

describeWithEngine('scale to zero', () => {
  const project = uniqueProjectName('zero');
  const daemon = useDaemon(project);

  it('at zero replicas the first connection wakes the service and gets its answer; idle, it goes back to zero', async () => {
    const port = await freePort();
    const { dir } = await writeProject(balanced(project, port, '{ min: 0, max: 2, connections: { target: 1 }, interval: 1s, scale_down_stabilization: 3s }'));
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    await eventually(async () => {
      const web = await serviceStatus(daemon, project, 'web');
      expect(web.phase).toBe('scaled-to-zero');
      expect(web.replicas).toEqual([]);
    });

    // A cold start: the container is created and started while the balancer holds this request.
    expect(await httpGet(port, { timeoutMs: 30_000 })).toBe('hello');
    const woke = await serviceStatus(daemon, project, 'web');
    expect(woke.desired).toBe(1);

    const status = await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.phase).toBe('scaled-to-zero');
        expect(web.replicas).toEqual([]);
        return web;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(status.autoscale?.scaledToZero).toBe(true);
    const table = await daemon.cli(['status', '-p', project]);
    expect(table.stdout).toContain('scaled to zero');
    const events = await daemon.cli(['events', '--no-follow', '-p', project, '--json']);
    expect(events.stdout).toContain('1 connection waiting at 0 replicas: 0 -> 1');
  });
});
