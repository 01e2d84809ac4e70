// Health end to end: the daemon acts on health, and depends_on conditions order start-up.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { projectSelector } from '../../src/daemon/core/labels.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, runtimeForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const runtime = runtimeForTests();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();


describeWithEngine('health: unhealthy replicas are replaced', () => {
  const project = uniqueProjectName('health');
  const daemon = useDaemon(project);

  it('replaces a web server whose healthcheck starts failing, records why, and the replacement is healthy', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "mkdir -p /www && echo ok > /www/ok && httpd -f -p 80 -h /www"]
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O - http://127.0.0.1/ok || { echo probe: /ok is gone; exit 1; }"]
      interval: 500ms
      timeout: 2s
      retries: 2
    stop_grace_period: 1s  # busybox httpd as PID 1 ignores SIGTERM
    deploy: { restart_policy: { delay: 0s } }
  slow:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "sleep 4; touch /tmp/ready; sleep 3600"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      retries: 1
      start_period: 10s
`);
    expect((await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir })).code).toBe(0);
    const [slow] = await runtime.listContainers({ ...projectSelector(project), 'com.docker.compose.service': 'slow' });
    const before = await eventually(async () => {
      const s = await serviceStatus(daemon, project, 'web');
      expect(s.replicas[0]?.health).toBe('healthy');
      return s.replicas[0]!;
    });
    const deletedAt = Date.now();
    docker('exec', before.containerId!, 'rm', '/www/ok');
    const replaced = await eventually(
      async () => {
        const s = await serviceStatus(daemon, project, 'web');
        const r = s.replicas[0]!;
        expect(r.containerId).not.toBe(before.containerId);
        expect(r.health).toBe('healthy');
        return r;
      },
      { timeoutMs: 30_000 },
    );
    expect(replaced.lastExit).toMatchObject({ cause: 'unhealthy' });
    expect(replaced.lastExit?.healthOutput).toContain('probe: /ok is gone');
    // interval 0.5 s x retries 2 + delay 0 + probe time: the engine reports unhealthy after about 1 s.
    const replacedAt = Date.parse(replaced.restartTimes.at(-1)!);
    expect(replacedAt - deletedAt).toBeLessThan(10_000);
    // `slow` took 4 s to become healthy inside its 10 s start_period: never replaced.
    const slowNow = await serviceStatus(daemon, project, 'slow');
    expect(slowNow.replicas[0]).toMatchObject({ containerId: slow?.id, restarts: 0, health: 'healthy' });
  });
});

describeWithEngine('health: depends_on conditions order start-up', () => {
  const project = uniqueProjectName('deps');
  const daemon = useDaemon(project);

  const chain = (migrateExit: number) => `
name: ${project}
services:
  db:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 2; touch /tmp/up; sleep 3600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/up"], interval: 500ms, retries: 20 }
  api:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    depends_on: { db: { condition: service_healthy } }
  migrate:
    image: ${TEST_IMAGE}
    restart: "no"
    command: ["sh", "-c", "sleep 1; exit ${migrateExit}"]
    depends_on: [api]
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    depends_on: { migrate: { condition: service_completed_successfully } }
  optional:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    profiles: [extra]
  tolerant:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    depends_on: { optional: { condition: service_started, required: false } }
`;

  const startedAt = (service: string) => Date.parse(docker('inspect', '-f', '{{.State.StartedAt}}', `${project}-${service}-1`));

  it('starts db, then api once db is healthy, then migrate, then web after migrate exited 0', async () => {
    const { dir } = await writeProject(chain(0));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const db = startedAt('db');
    const api = startedAt('api');
    const migrate = startedAt('migrate');
    const web = startedAt('web');
    expect(api - db).toBeGreaterThanOrEqual(2_000); // db needs 2 s to turn healthy
    expect(migrate).toBeGreaterThan(api);
    expect(web - migrate).toBeGreaterThanOrEqual(1_000); // migrate runs 1 s
    expect((await serviceStatus(daemon, project, 'tolerant')).running).toBe(1); // its optional dependency is disabled
    expect((await daemon.cli(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
  });

  it('a failing migrate keeps web from starting and up --wait fails naming migrate and its exit code', async () => {
    const { dir } = await writeProject(chain(3));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/migrate/);
    expect(up.stderr).toMatch(/exited( with code)? 3/);
    const web = await serviceStatus(daemon, project, 'web');
    expect(web.running).toBe(0);
    expect(web.replicas[0]?.containerId).toBeUndefined();
    expect((await daemon.cli(['down', '-t', '0'], { cwd: dir })).code).toBe(0);
  });
});

describeWithEngine('health: hostile healthchecks do not disturb the daemon', () => {
  const project = uniqueProjectName('hostile');
  const daemon = useDaemon(project);

  it('a probe that hangs and one that prints megabytes are cut off by the engine; status stays fast', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  hangs:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    healthcheck: { test: ["CMD", "sleep", "3600"], interval: 500ms, timeout: 500ms, retries: 2 }
    x-composed: { on_unhealthy: ignore }
  chatty:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    healthcheck: { test: ["CMD-SHELL", "head -c 5000000 /dev/zero | tr '\\\\0' x; exit 1"], interval: 500ms, retries: 2 }
    x-composed: { on_unhealthy: ignore }
`);
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    await eventually(
      async () => {
        const [hangs, chatty] = [await serviceStatus(daemon, project, 'hangs'), await serviceStatus(daemon, project, 'chatty')];
        expect(hangs.replicas[0]?.health).toBe('unhealthy');
        expect(chatty.replicas[0]?.health).toBe('unhealthy');
        // The engine keeps 4096 bytes of a probe's output and appends "..." (seen on 20.10: 4099 chars).
        expect(chatty.replicas[0]?.healthOutput).toMatch(/^x{4096}\.\.\.$/);
      },
      { timeoutMs: 30_000 },
    );
    const started = Date.now();
    const status = await daemon.cli(['status', '--json', '-p', project]);
    expect(status.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(JSON.stringify(JSON.parse(status.stdout)).length).toBeLessThan(100_000);
  });
});

describeWithEngine('health: depends_on restart: true', () => {
  const project = uniqueProjectName('deprestart');
  const daemon = useDaemon(project);

  it('replacing a dependency replaces its dependants that asked for it, and only those', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  cache:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sleep", "3600"]
    deploy: { restart_policy: { delay: 0s } }
  follows:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    stop_grace_period: 0s
    depends_on: { cache: { condition: service_started, restart: true } }
  ignores:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    depends_on: { cache: { condition: service_started } }
`);
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    const before = Object.fromEntries((await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`)).services.map((s) => [s.name, s.replicas[0]?.containerId]));
    docker('kill', before.cache!);
    await eventually(
      async () => {
        const s = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
        const now = Object.fromEntries(s.services.map((x) => [x.name, x.replicas[0]]));
        expect(now.cache?.containerId).not.toBe(before.cache);
        expect(now.follows?.containerId).not.toBe(before.follows);
        expect(now.follows?.phase).toBe('running');
        expect(now.ignores?.containerId).toBe(before.ignores);
      },
      { timeoutMs: 30_000 },
    );
  });
});
