// `restart --rolling`: a 3-replica balanced service is replaced one replica at a time under steady
// client load to 127.0.0.1, and no request fails; plain `restart` keeps replacing them all at once.
import { beforeAll, expect, it } from 'vitest';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { steadyLoad } from '../support/steady-load.js';

describeWithEngine('restart --rolling', () => {
  const project = uniqueProjectName('rolling');
  const daemon = useDaemon(project);
  let port: number;
  let dir: string;

  beforeAll(async () => {
    port = await freePort();
    ({ dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "mkdir -p /www && echo $$HOSTNAME > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 2s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"], interval: 300ms, retries: 2 }
    restart: always
    deploy: { replicas: 3, update_config: { monitor: 300ms }, restart_policy: { delay: 0s } }
`));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it('replaces every replica one at a time, start-first, and no request fails', async () => {
    const before = (await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.containerId);
    const load = steadyLoad(port, { concurrency: 4 });
    await eventually(() => expect(load.ok).toBeGreaterThan(20));

    const restart = await daemon.cli(['restart', '--rolling', 'web'], { cwd: dir });
    expect(restart.stderr).toBe('');
    expect(restart.stdout).toBe('web restarting replica by replica (3 replicas, start-first); composed status shows the roll-out\n');
    await eventually(
      async () => {
        const web = await serviceStatus(daemon, project, 'web');
        expect(web.rollout?.state).toBe('complete');
        expect(web.ready).toBe(3);
        for (const id of web.replicas.map((r) => r.containerId)) expect(before).not.toContain(id);
      },
      { timeoutMs: 90_000 },
    );
    const after = load.ok;
    await eventually(() => expect(load.ok).toBeGreaterThan(after + 20));
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    // Answers came from the new containers after the restart.
    expect(result.byBody.size).toBeGreaterThanOrEqual(4);
  });

  it('a reload of the unchanged file after it changes nothing', async () => {
    const before = (await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.containerId);
    const dryRun = await daemon.cli(['up', '--dry-run'], { cwd: dir });
    expect(dryRun.stdout).toContain('nothing would change');
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    expect((await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.containerId)).toEqual(before);
  });
});
