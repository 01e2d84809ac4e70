// build, pull and create before any `up`: the daemon's engine connection builds and pulls, nothing
// is supervised. No registry is reachable here, so pull is tested for its clear failure.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { eventually } from '../support/eventually.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('build, pull and create', () => {
  const project = uniqueProjectName('img');
  const daemon = useDaemon(project);
  let dir: string;
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    ({ dir } = await writeProject(`
services:
  app:
    build: { context: ./app, args: { V: "1" } }
  base:
    image: ${TEST_IMAGE}
  remote:
    image: composed-test.invalid/nothing:1
`));
    await mkdir(join(dir, 'app'));
    // The stamp makes every uncached build a new image.
    await writeFile(join(dir, 'app/Dockerfile'), `FROM ${TEST_IMAGE}\nARG V\nRUN echo "v=$V" > /v; date +%s%N > /stamp\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n`);
  });
  afterAll(() => {
    execFileSync('docker', ['rmi', '-f', `${project}-app`], { stdio: 'ignore' });
  });

  it('build builds services with a build section, --build-arg overrides the file', async () => {
    const r = await cli('build', '--build-arg', 'V=7', 'app');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`app: built ${project}-app`);
    expect(docker('run', '--rm', `${project}-app`, 'cat', '/v')).toBe('v=7');
    expect((await cli('ps', '-a')).code).toBe(1);
  });

  it('build uses the cache; --no-cache runs every step again', async () => {
    const id = () => docker('image', 'inspect', '-f', '{{.Id}}', `${project}-app`);
    expect((await cli('build', 'app')).code).toBe(0);
    const cached = id();
    expect((await cli('build', 'app')).code).toBe(0);
    expect(id()).toBe(cached);
    const fresh = await cli('build', '--no-cache', 'app');
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(id()).not.toBe(cached);
  });

  it('create prepares what up needs; pull of an unreachable image fails naming it', async () => {
    const create = await cli('create', 'app', 'base');
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toContain(`base: ready ${TEST_IMAGE}`);
    const pull = await cli('pull', 'remote');
    expect(pull.code).toBe(1);
    expect(pull.stderr).toContain('composed-test.invalid/nothing');
    const missing = await cli('build', 'nosuch');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has no service "nosuch"');
  });

  it('up --build rebuilds and rolls the new image out start-first, the old replica serving until the new one runs', async () => {
    // A file of its own: the main one names an image no registry here has, which up would pull.
    await writeFile(join(dir, 'app.yaml'), 'services:\n  app:\n    build: ./app\n');
    const up = await cli('-f', 'app.yaml', 'up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const first = await eventually(async () => {
      const r = (await projectStatus(daemon, project)).services.find((s) => s.name === 'app')?.replicas[0];
      expect(r?.phase).toBe('running');
      return r!.containerId!;
    });
    await writeFile(join(dir, 'app/Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo rebuilt > /v\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]\n`);
    const rebuilt = await cli('-f', 'app.yaml', 'up', '-d', '--build');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toContain(`app: built ${project}-app`);
    await eventually(async () => {
      const r = (await projectStatus(daemon, project)).services.find((s) => s.name === 'app')?.replicas[0];
      expect(r?.containerId).not.toBe(first);
      expect(r?.phase).toBe('running');
    });
    expect((await cli('-f', 'app.yaml', 'exec', '-T', 'app', 'cat', '/v')).stdout).toBe('rebuilt\n');
    const events = (await cli('events', '--no-follow')).stdout;
    expect(events).toMatch(/\/app rollout: config changed: rolling out/);
    expect(events).toMatch(/\/app#1 rollout: starting the new config beside the old: config changed \(roll-out, start-first\)/);
  });
});
