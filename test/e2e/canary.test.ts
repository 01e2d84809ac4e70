// Canary roll-outs through the balancer, end to end: a new config that refuses connections is
// rolled back while the old replicas answer every request; a good one completes. The client
// retries nothing: every request that did not get a 200 counts as failed.
import { writeFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { steadyLoad } from '../support/steady-load.js';

/** `serves`: busybox httpd answering its version; otherwise the container listens on nothing, so every connection is refused. */
function compose(project: string, port: number, version: string, serves: boolean): string {
  const command = serves ? `mkdir -p /www && echo ${version} > /www/index.html && exec httpd -f -p 80 -h /www` : `echo ${version} && exec sleep 100000`;
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${command}"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 2s
    deploy: { replicas: 3, update_config: { monitor: 300ms } }
    x-composed:
      canary: { weight: 25, duration: 4s, abort_on: [errors, unhealthy] }
`;
}

describeWithEngine('canary roll-outs', () => {
  const project = uniqueProjectName('canary');
  const daemon = useDaemon(project);
  let port: number;
  let file: string;

  beforeAll(async () => {
    port = await freePort();
    let dir: string;
    ({ dir, file } = await writeProject(compose(project, port, 'v1', true)));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it('a canary that refuses connections is rolled back, and no request fails meanwhile', async () => {
    const load = steadyLoad(port);
    await eventually(() => expect(load.ok).toBeGreaterThan(20));
    await writeFile(file, compose(project, port, 'bad', false));
    const web = await eventually(
      async () => {
        const s = await serviceStatus(daemon, project, 'web');
        expect(s.rollout?.state).toBe('rolled-back');
        expect(s.ready).toBe(3);
        return s;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const result = await load.stop();
    expect(web.rollout?.message).toMatch(/rolled back to the previous config: canary .*-web-1 refused \d+ connections?/);
    expect(result.errors).toEqual([]);
    expect([...result.byBody.keys()].map((body) => body.trim())).toEqual(['v1']);
    const events = await daemon.cli(['events', '--no-follow', '-p', project, '--json']);
    expect(events.stdout).toMatch(/canary [^"]*-web-1 takes 25% of new connections until/);
  });

  it('a good canary takes its share for its duration, then the roll-out completes', async () => {
    const load = steadyLoad(port);
    await eventually(() => expect(load.ok).toBeGreaterThan(20));
    const changedAt = Date.now();
    await writeFile(file, compose(project, port, 'v2', true));
    await eventually(
      async () => {
        const s = await serviceStatus(daemon, project, 'web');
        expect(s.rollout?.state).toBe('complete');
        expect(s.ready).toBe(3);
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    // The other replicas waited for the canary's 4 s.
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(4_000);
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    // While it was watched, the canary answered a share of the requests beside the old replicas.
    expect(result.byBody.get('v2\n')).toBeGreaterThan(0);
    expect(result.byBody.get('v1\n')).toBeGreaterThan(0);
    const events = await daemon.cli(['events', '--no-follow', '-p', project, '--json']);
    expect(events.stdout).toMatch(/canary [^"]*-web-1 passed; rolling out the rest/);
    expect(events.stdout).toContain('roll-out complete');
  });
});
