// The balancer end to end: one published port, many replicas, traffic only to ready replicas.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { httpGet } from '../support/http.js';
import { steadyLoad } from '../support/steady-load.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

function compose(project: string, port: number, opts: { version: string; replicas: number }): string {
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo $$HOSTNAME ${opts.version} > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 2s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, retries: 2 }
    restart: always
    deploy: { replicas: ${opts.replicas}, update_config: { monitor: 300ms }, restart_policy: { delay: 0s } }
`;
}

describeWithEngine('balancer: one published port, many replicas', () => {
  const project = uniqueProjectName('lb');
  const daemon = useDaemon(project);
  let port: number;
  let file: string;
  let dir: string;

  beforeAll(async () => {
    port = await freePort();
    ({ dir, file } = await writeProject(compose(project, port, { version: 'v1', replicas: 3 })));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it('spreads 300 requests over all three replicas, and status and metrics count them', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const host = (await httpGet(port)).split(' ')[0]!;
      seen.set(host, (seen.get(host) ?? 0) + 1);
    }
    expect(seen.size).toBe(3);
    for (const count of seen.values()) expect(count).toBeGreaterThanOrEqual(50);
    const web = await serviceStatus(daemon, project, 'web');
    expect(web.balancer?.[0]?.listen).toBe(`127.0.0.1:${port}`);
    expect(web.balancer?.[0]?.replicas.map((r) => r.name).sort()).toEqual([1, 2, 3].map((n) => `${project}-web-${n}`));
    expect(web.balancer?.[0]?.replicas.reduce((sum, r) => sum + r.total, 0)).toBeGreaterThanOrEqual(300);
    let metrics = '';
    for await (const chunk of daemon.client.stream('/metrics')) metrics += chunk;
    const counted = [...metrics.matchAll(new RegExp(`^composed_balancer_connections_total\\{[^}]*project="${project}"[^}]*\\} (\\d+)$`, 'gm'))];
    expect(counted).toHaveLength(3);
    expect(counted.reduce((sum, m) => sum + Number(m[1]), 0)).toBeGreaterThanOrEqual(300);
  });

  it('a roll-out under steady load fails no request', async () => {
    const load = steadyLoad(port);
    await eventually(() => expect(load.answers.length).toBeGreaterThan(20));
    await writeFile(file, compose(project, port, { version: 'v2', replicas: 3 }));
    await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.rollout?.state).toBe('complete');
        expect(web.ready).toBe(3);
      },
      { timeoutMs: 90_000 },
    );
    await load.stop();
    expect(load.errors).toEqual([]);
    expect(load.answers.at(-1)).toMatch(/ v2$/);
  });

  it('a scale-down from 3 to 1 under steady load fails no request', async () => {
    const load = steadyLoad(port);
    await eventually(() => expect(load.answers.length).toBeGreaterThan(20));
    expect((await daemon.cli(['scale', 'web=1'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).replicas).toHaveLength(1), { timeoutMs: 30_000 });
    const after = load.answers.length;
    await eventually(() => expect(load.answers.length).toBeGreaterThan(after + 20));
    await load.stop();
    expect(load.errors).toEqual([]);
  });

  it('the port is closed while the daemon is down and open again once it is back', async () => {
    await daemon.stop();
    await expect(httpGet(port)).rejects.toThrow(/ECONNREFUSED/);
    await daemon.start();
    await eventually(async () => expect(await httpGet(port)).toMatch(/ v2$/));
  });

  it('a replica killed under load costs at most its in-flight requests', async () => {
    expect((await daemon.cli(['scale', 'web=3'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).ready).toBe(3), { timeoutMs: 30_000 });
    const load = steadyLoad(port);
    await eventually(() => expect(load.answers.length).toBeGreaterThan(20));
    docker('kill', `${project}-web-2`);
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).ready).toBe(3), { timeoutMs: 30_000 });
    const after = load.answers.length;
    await eventually(() => expect(load.answers.length).toBeGreaterThan(after + 20));
    await load.stop();
    // 4 client workers: at most 4 requests were in flight on the killed replica.
    expect(load.errors.length).toBeLessThanOrEqual(4);
  });
});
