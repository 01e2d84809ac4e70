// The README's walkthrough on examples/compose.yaml, command by command, as a user types it.
// Two changes so it can run beside a live demo: its own project name (-p), and web's fixed host
// port 8080 becomes an ephemeral 127.0.0.1 port (read back with `docker port`).
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { ProjectStatus, ServiceStatus } from '../../src/protocol/api.js';
import { useDaemon, REPO_ROOT, writeProject } from '../support/daemon.js';
import { describeWithEngine, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('README walkthrough on examples/compose.yaml', () => {
  const project = uniqueProjectName('readme');
  const daemon = useDaemon(project);
  let file: string;
  const cli = (...args: string[]) => daemon.cli(args, { cwd: REPO_ROOT });
  const service = async (name: string): Promise<ServiceStatus> =>
    (await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`)).services.find((s) => s.name === name)!;

  beforeAll(async () => {
    const example = await readFile(join(REPO_ROOT, 'examples/compose.yaml'), 'utf8');
    expect(example).toContain('"127.0.0.1:8080:80"');
    ({ file } = await writeProject(example.replace('"127.0.0.1:8080:80"', '"127.0.0.1::80"')));
  });


  it('quickstart: up --wait, the page, status', async () => {
    const up = await cli('up', '-f', file, '-p', project, '--wait', '--wait-timeout', '90s');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/web: waiting \(waiting for migrate to complete successfully\)/);
    const port = docker('port', `${project}-web-1`, '80/tcp').split(':').at(-1);
    const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(page).toContain('demo shop');
    const status = await cli('status', '-f', file, '-p', project);
    expect(status.stdout).toMatch(/migrate\s+completed/);
    expect(status.stdout).toMatch(/web\s+running\s+1\/1/);
  });

  it('crash something and watch it come back; events say why', async () => {
    const before = (await service('web')).replicas[0]!.containerId;
    docker('kill', `${project}-web-1`);
    await eventually(
      async () => {
        const web = await service('web');
        expect(web.replicas[0]?.containerId).not.toBe(before);
        expect(web.ready).toBe(1);
      },
      { timeoutMs: 30_000 },
    );
    const events = await cli('events', '-p', project, '--no-follow');
    expect(events.stdout).toMatch(/web#1 replica-replaced: exited 137/);
  });

  it('load the CPU service and watch it scale', async () => {
    docker('exec', `${project}-cruncher-1`, 'touch', '/control/burn');
    const scaled = await eventually(
      async () => {
        const s = await service('cruncher');
        expect(s.desired).toBeGreaterThanOrEqual(2);
        return s;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(scaled.autoscale?.lastDecision?.reason).toMatch(/cpu \d+%/);
    docker('exec', `${project}-cruncher-1`, 'rm', '/control/burn');
  });

  it('edit the file and watch the roll-out of only the changed service', async () => {
    const web = (await service('web')).replicas[0]!.containerId;
    const cruncher = (await service('cruncher')).replicas.map((r) => r.containerId);
    execFileSync('sed', ['-i', 's/cpus: "0.25"/cpus: "0.3"/', file]);
    await eventually(
      async () => {
        const s = await service('cruncher');
        expect(s.replicas.some((r) => cruncher.includes(r.containerId))).toBe(false);
        expect(s.rollout?.state).toBe('complete');
      },
      { timeoutMs: 60_000 },
    );
    expect((await service('web')).replicas[0]!.containerId).toBe(web);
    const events = await cli('events', '-p', project, '--no-follow');
    expect(events.stdout).toMatch(/cruncher rollout: config changed/);
  });

  it('logs of the worker, then down', async () => {
    const logs = await cli('logs', '-p', project, 'worker');
    expect(logs.stdout).toMatch(/^worker-1 \| worker: processing jobs$/m);
    const down = await cli('down', '-f', file, '-p', project, '-t', '1');
    expect(down.code).toBe(0);
    expect(docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`)).toBe('');
    expect(docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`)).not.toBe('');
  });
});
