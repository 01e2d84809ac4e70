// kill, pause/unpause, top, stats, port, images, ls, version, wait and rm against the real engine,
// with what each means under supervision (kill: the restart policy answers; pause: left alone).
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('container commands under supervision', () => {
  const project = uniqueProjectName('ctl');
  const daemon = useDaemon(project);
  let port: number;
  let dir: string;
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });
  const replica = async (service: string) => (await projectStatus(daemon, project)).services.find((s) => s.name === service)!.replicas[0]!;

  beforeAll(async () => {
    port = await freePort();
    ({ dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'echo got-hup' HUP; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    ports: ["127.0.0.1:${port}:80"]
  once:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 1; exit 3"]
`));
    const up = await daemon.cli(['up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => expect((await replica('web')).phase).toBe('running'));
  });

  it('kill -s HUP delivers the signal and nothing is replaced', async () => {
    const before = (await replica('web')).containerId;
    const r = await cli('kill', '-s', 'HUP', 'web');
    expect(r).toMatchObject({ code: 0, stdout: `${project}-web-1 HUP\n` });
    await eventually(async () => expect((await cli('logs', 'web')).stdout).toContain('got-hup'));
    expect((await replica('web')).containerId).toBe(before);
  });

  it('kill is a crash the restart policy answers: replaced, and the event says who sent it', async () => {
    const before = (await replica('web')).containerId;
    expect((await cli('kill', 'web')).code).toBe(0);
    await eventually(async () => {
      const r = await replica('web');
      expect(r.containerId).not.toBe(before);
      expect(r.phase).toBe('running');
      expect(r.lastExit?.exitCode).toBe(137);
    });
    const events = await daemon.cli(['events', '-p', project, '--no-follow'], { cwd: dir });
    expect(events.stdout).toMatch(/web#1 replica-signalled: SIGKILL sent by composed kill/);
    expect(events.stdout).toMatch(/web#1 replica-replaced: exited 137/);
  });

  it('pause freezes and the supervisor leaves it; unpause resumes', async () => {
    const before = (await replica('web')).containerId;
    expect((await cli('pause', 'web')).stdout).toBe(`${project}-web-1 paused\n`);
    expect(docker('inspect', '-f', '{{.State.Status}}', `${project}-web-1`)).toBe('paused');
    expect((await cli('ps', '--format', '{{.Name}} {{.State}}', 'web')).stdout).toBe(`${project}-web-1 paused\n`);
    expect((await cli('unpause')).stdout).toBe(`${project}-web-1 unpaused\n`);
    expect(docker('inspect', '-f', '{{.State.Status}}', `${project}-web-1`)).toBe('running');
    expect((await replica('web')).containerId).toBe(before);
  });

  it('top, stats, port, images', async () => {
    const top = await cli('top', 'web');
    expect(top.stdout).toMatch(new RegExp(`^${project}-web-1\\nUID\\s+PID\\s+PPID`));
    expect(top.stdout).toContain('while true');
    const stats = (await cli('stats', '--no-stream', '--format', 'json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(stats.map((s) => s.Name)).toEqual([`${project}-web-1`]);
    expect(stats[0]!.CPUPerc).toMatch(/^\d+\.\d\d%$/);
    expect(stats[0]!.MemUsage).toMatch(/^[\d.]+\w*B \/ [\d.]+\w*B$/);
    expect((await cli('port', 'web', '80')).stdout).toBe(`127.0.0.1:${port}\n`);
    const noPort = await cli('port', 'web', '81');
    expect(noPort).toMatchObject({ code: 1 });
    expect(noPort.stderr).toContain('no port 81/tcp published');
    const images = await cli('images', 'web');
    expect(images.stdout).toMatch(new RegExp(`^${project}-web-1\\s+busybox\\s+latest\\s+[0-9a-f]{12}$`, 'm'));
  });

  it('ls and version', async () => {
    const ls = JSON.parse((await daemon.cli(['ls', '--format', 'json'], { cwd: dir })).stdout) as Array<{ Name: string; Status: string; ConfigFiles: string }>;
    expect(ls.find((p) => p.Name === project)).toMatchObject({ Status: expect.stringMatching(/^running\(\d\)$/), ConfigFiles: expect.stringContaining('compose.yaml') });
    expect((await daemon.cli(['ls', '-q'], { cwd: dir })).stdout.split('\n')).toContain(project);
    const version = await daemon.cli(['version'], { cwd: dir });
    expect(version.stdout).toMatch(/^composed version \d+\.\d+\.\d+\ndaemon version \d+\.\d+\.\d+\n$/);
  });

  it('wait exits with the exit code of the replica it waited for', async () => {
    const r = await cli('wait', 'once');
    expect(r.code).toBe(3);
  });

  it('rm removes stopped one-offs and never a replica', async () => {
    const run = await cli('run', '-d', '--name', `${project}-job`, 'web', 'true');
    expect(run.code, run.stderr).toBe(0);
    await eventually(() => expect(docker('inspect', '-f', '{{.State.Status}}', `${project}-job`)).toBe('exited'));
    const rm = await cli('rm');
    expect(rm.stdout).toBe(`${project}-job removed\n`);
    expect(docker('ps', '-aq', '--filter', `name=^${project}-job$`)).toBe('');
    const status: ProjectStatus = await projectStatus(daemon, project);
    expect(status.services.find((s) => s.name === 'web')!.running).toBe(1);
  });
});
