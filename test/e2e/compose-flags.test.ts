// docker compose's command lines, typed as a compose user types them: global flags before the verb,
// repeatable flags that never swallow a service name, --env-file, COMPOSE_* variables, and the
// verbs that act on the whole project when no service is named.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { CLI, projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('compose command lines: global flags, --env-file, whole-project verbs', () => {
  const project = uniqueProjectName('flags');
  const daemon = useDaemon(project);
  let dir: string;
  let file: string;
  const running = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await projectStatus(daemon, project)).services.map((s) => [s.name, s.running]));

  beforeAll(async () => {
    ({ dir, file } = await writeProject(`
services:
  web:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo greeting=\${GREETING}; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  worker:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`, 'app.yaml'));
    await writeFile(join(dir, 'vars.env'), 'GREETING=from-env-file\n');
  });

  it('-f and -p before the verb, --env-file reaching the project (not Node), up without -d off a terminal returns', async () => {
    // CI unset, as on a user's machine: off a terminal is then the reason (CI itself is one too).
    const up = await daemon.cli(['-f', file, '-p', project, '--env-file', 'vars.env', 'up'], { cwd: dir, env: { CI: '' } });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`not attaching to the logs (stdout is not a terminal); the daemon keeps ${project} running`);
    await eventually(async () => expect(await running()).toEqual({ web: 1, worker: 1 }));
    const logs = await eventually(async () => {
      const r = await daemon.cli(['-p', project, 'logs', 'web'], { cwd: dir });
      expect(r.stdout).toContain('greeting=from-env-file');
      return r;
    });
    expect(logs.code).toBe(0);
  });

  it('COMPOSE_FILE and COMPOSE_PROJECT_NAME stand for -f and -p; up -d twice changes nothing', async () => {
    const env = { COMPOSE_FILE: file, COMPOSE_PROJECT_NAME: project, COMPOSE_ENV_FILES: join(dir, 'vars.env') };
    const before = (await projectStatus(daemon, project)).services.map((s) => s.replicas[0]?.containerId);
    const up = await daemon.cli(['up', '-d'], { cwd: '/', env });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toContain('not attaching');
    expect((await projectStatus(daemon, project)).services.map((s) => s.replicas[0]?.containerId)).toEqual(before);
  });

  it('a flag after the verb never swallows the service name: restart -f FILE web', async () => {
    const r = await daemon.cli(['restart', '-f', file, '-p', project, 'web'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('web restarted\n');
  });

  it('stop and start with no service act on the whole project', async () => {
    const stop = await daemon.cli(['-p', project, 'stop', '-t', '1'], { cwd: dir });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toBe('web stopped\nworker stopped\n');
    await eventually(async () => expect(await running()).toEqual({ web: 0, worker: 0 }));
    const start = await daemon.cli(['-p', project, 'start'], { cwd: dir });
    expect(start.stdout).toBe('web started\nworker started\n');
    await eventually(async () => expect(await running()).toEqual({ web: 1, worker: 1 }));
  });

  it('up --scale and --wait on named services; an unknown service fails naming it', async () => {
    const up = await daemon.cli(['-f', file, '-p', project, 'up', '--wait', '--scale', 'worker=2', 'worker'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
    expect(status.services.find((s) => s.name === 'worker')?.desired).toBe(2);
    const missing = await daemon.cli(['-f', file, '-p', project, 'up', '-d', 'nosuch'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such service: nosuch');
  });

  it('up --force-recreate replaces the named service\'s containers and leaves the others', async () => {
    const ids = async () => Object.fromEntries((await projectStatus(daemon, project)).services.map((s) => [s.name, s.replicas[0]?.containerId]));
    const before = await ids();
    const up = await daemon.cli(['-f', file, '-p', project, '--env-file', 'vars.env', 'up', '-d', '--force-recreate', 'web'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => {
      const after = await ids();
      expect(after.web).not.toBe(before.web);
      expect(after.worker).toBe(before.worker);
      expect(await running()).toMatchObject({ web: 1 });
    });
  });

  it('up without -d on a terminal follows the logs; Ctrl-C detaches and the services keep running', async () => {
    // `exec`: script runs the line with $SHELL, or /bin/sh when SHELL is unset (as in CI), and dash
    // forks for a single command and dies of the terminal's SIGINT itself, so script would report
    // 130 whatever the CLI did; with exec the CLI is the terminal's foreground process, as under a
    // user's interactive shell.
    const term = spawn('script', ['-qec', `exec ${process.execPath} -- ${CLI} -f ${file} -p ${project} --env-file vars.env up web`, '/dev/null'], {
      cwd: dir,
      // A user's terminal: CI unset (with CI set, up never attaches).
      env: { ...process.env, CI: '', COMPOSED_SOCKET: daemon.socket },
    });
    let out = '';
    term.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => term.on('close', resolve));
    await eventually(() => expect(out).toContain('attached to the logs'));
    await daemon.cli(['-p', project, 'exec', '-T', 'web', 'sh', '-c', 'echo while-attached > /proc/1/fd/1'], { cwd: dir });
    // On a terminal the prefix is coloured.
    await eventually(() => expect(out).toContain('\u001b[36mweb-1 |\u001b[39m while-attached'));
    term.stdin.write('\u0003');
    expect(await exited).toBe(0);
    expect(out).toContain(`detached: the daemon keeps ${project} running`);
    expect(await running()).toMatchObject({ web: 1 });
  });

  it('a missing --env-file is an error naming the flag and file', async () => {
    const r = await daemon.cli(['--env-file', 'missing.env', '-f', file, 'up', '-d'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing\.env: --env-file: cannot read .*missing\.env/);
  });
});
