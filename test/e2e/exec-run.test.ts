// `composed exec` and `composed run` as a compose user types them: output, stdin, the exit code
// passed through, -T/-d/-u/-w/-e/--index, and one-offs that the supervisor never touches.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { CLI, projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('exec and run', () => {
  const project = uniqueProjectName('exec');
  const daemon = useDaemon(project);
  let dir: string;
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    ({ dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    restart: always
    environment: { FROM_FILE: "yes" }
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    deploy: { replicas: 2 }
    volumes: ["data:/data"]
volumes:
  data: {}
`));
    const up = await daemon.cli(['up', '-d', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  it('exec passes output, stderr and the exit code through', async () => {
    const r = await cli('exec', 'web', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await cli('exec', '-T', 'web', 'true')).code).toBe(0);
  });

  it('exec -u -w -e --index reach the process; a replica that does not exist is a clear error', async () => {
    const r = await cli('exec', '-T', '-u', 'nobody', '-w', '/tmp', '-e', 'GREETING=hi', '--index', '2', 'web', 'sh', '-c', 'echo $(id -un) $(pwd) $GREETING $FROM_FILE $HOSTNAME');
    expect(r.code, r.stderr).toBe(0);
    const second = docker('inspect', '-f', '{{.Config.Hostname}}', `${project}-web-2`);
    expect(r.stdout).toBe(`nobody /tmp hi yes ${second}\n`);
    const missing = await cli('exec', '--index', '7', 'web', 'true');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('service web: replica #7 does not exist (running: #1, #2)');
    const noService = await cli('exec', 'nosuch', 'true');
    expect(noService.code).toBe(1);
    expect(noService.stderr).toContain('has no service "nosuch"');
  });

  it('exec gets a TTY when stdin is a terminal (and none with -T), and its exit code', async () => {
    const inTerminal = (args: string) =>
      spawnSync('script', ['-qec', `${process.execPath} -- ${CLI} -p ${project} ${args}`, '/dev/null'], { cwd: dir, env: { ...process.env, COMPOSED_SOCKET: daemon.socket }, encoding: 'utf8' });
    const tty = inTerminal(`exec web sh -c 'tty; exit 3'`);
    expect(tty.status).toBe(3);
    expect(tty.stdout).toMatch(/\/dev\/pts\/\d+/);
    const noTty = inTerminal(`exec -T web tty`);
    expect(noTty.stdout).toContain('not a tty');
  });

  it('exec feeds stdin to the command and ends it', async () => {
    const child = spawn(process.execPath, ['--', CLI, '-p', project, 'exec', '-T', 'web', 'sh', '-c', 'tr a-z A-Z; exit 4'], {
      cwd: dir,
      env: { ...process.env, COMPOSED_SOCKET: daemon.socket },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end('shout\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out }).toEqual({ code: 4, out: 'SHOUT\n' });
  });

  it('exec -d returns at once and the command runs', async () => {
    const r = await cli('exec', '-d', 'web', 'sh', '-c', 'echo detached > /data/marker');
    expect(r.code, r.stderr).toBe(0);
    await eventually(async () => expect((await cli('exec', 'web', 'cat', '/data/marker')).stdout).toBe('detached\n'));
  });

  it('run --rm: a one-off with the service config and volumes, its exit code, removed after, never a replica', async () => {
    const r = await cli('run', '--rm', '-e', 'EXTRA=1', 'web', 'sh', '-c', 'cat /data/marker; echo $FROM_FILE $EXTRA; exit 5');
    expect(r).toMatchObject({ code: 5, stdout: 'detached\nyes 1\n' });
    expect(docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.oneoff=True')).toBe('');
    const web = (await projectStatus(daemon, project)).services.find((s) => s.name === 'web')!;
    expect(web.replicas.map((x) => x.name)).toEqual([`${project}-web-1`, `${project}-web-2`]);
  });

  it('run -d --name: labelled as a one-off, not adopted, not replaced when it exits', async () => {
    const name = `${project}-oneoff`;
    const r = await cli('run', '-d', '--name', name, '--entrypoint', 'sh -c', 'web', 'sleep 1; exit 2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${name}\n`);
    const labels = JSON.parse(docker('inspect', '-f', '{{json .Config.Labels}}', name)) as Record<string, string>;
    expect(labels).toMatchObject({ 'com.docker.compose.oneoff': 'True', 'com.docker.compose.project': project, 'com.docker.compose.service': 'web' });
    expect(labels['dev.composed.managed']).toBeUndefined();
    await eventually(() => expect(docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name)).toBe('exited 2'), { timeoutMs: 15_000 });
    const status = await projectStatus(daemon, project);
    expect(status.services.find((s) => s.name === 'web')!.running).toBe(2);
    // A replica's replacement is a reconcile of the service after the one-off exited: it is left alone.
    const before = docker('inspect', '-f', '{{.Id}}', `${project}-web-1`);
    docker('kill', `${project}-web-1`);
    await eventually(() => expect(docker('inspect', '-f', '{{.Id}} {{.State.Status}}', `${project}-web-1`)).toMatch(new RegExp(`^(?!${before})\\w+ running$`)));
    expect(docker('inspect', '-f', '{{.State.Status}}', name)).toBe('exited');
    docker('rm', name);
  });

  it('run with a bad -p or -v names the flag; run before up names the project', async () => {
    const bad = await cli('run', '--rm', '-p', '80:80:80', 'web', 'true');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/publish\[0\]: "80:80:80" is not a port mapping/);
    const vol = await cli('run', '--rm', '-v', 'nosuch:/x', 'web', 'true');
    expect(vol.stderr).toContain('volumes[0]: volume "nosuch" is not a volume of project');
    const other = await daemon.cli(['-p', 'not-up-here', 'run', '--rm', 'web', 'true'], { cwd: dir });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/not-up-here/);
  });
});
