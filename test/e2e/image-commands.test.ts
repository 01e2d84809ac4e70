// build, pull and create before any `up`: the daemon's engine connection builds and pulls, nothing
// is supervised. No registry is reachable here, so pull is tested for its clear failure.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useDaemon, writeProject } from '../support/daemon.js';
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
    await writeFile(join(dir, 'app/Dockerfile'), `FROM ${TEST_IMAGE}\nARG V\nRUN echo "v=$V" > /v\n`);
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
    const noCache = await cli('build', '--no-cache');
    expect(noCache).toMatchObject({ code: 1 });
    expect(noCache.stderr).toContain('--no-cache is not supported');
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
});
