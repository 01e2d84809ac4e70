// `composed watch` against the real engine: a sync rule writes changed files into the running
// replica (and removes deleted ones, never the ignored ones), sync+restart restarts the replica in
// place with the files kept, and the daemon still rolls out edits of the compose file meanwhile.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('composed watch', () => {
  const project = uniqueProjectName('watch');
  const daemon = useDaemon(project);
  let dir: string;
  let file: string;
  let watcher: ChildProcess | undefined;
  let output = '';
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });
  const cat = async (path: string) => (await cli('exec', '-T', 'web', 'cat', path)).stdout;
  const web = async () => (await projectStatus(daemon, project)).services.find((s) => s.name === 'web')?.replicas[0];
  const compose = (greeting: string) => `
services:
  web:
    image: ${TEST_IMAGE}
    environment: { GREETING: ${greeting} }
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    develop:
      watch:
        - { path: ./src, action: sync, target: /app/src, ignore: [skip/] }
        - { path: ./conf, action: sync+restart, target: /etc/app }
`;

  beforeAll(async () => {
    ({ dir, file } = await writeProject(compose('one')));
    await mkdir(join(dir, 'src'));
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'src/a.txt'), 'one\n');
    watcher = spawn(process.execPath, [CLI, '-p', project, 'watch'], { cwd: dir, env: { ...process.env, COMPOSED_SOCKET: daemon.socket } });
    watcher.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    watcher.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(() => expect(output).toContain('watching 2 paths for web'));
    await eventually(async () => expect((await web())?.phase).toBe('running'));
  });
  afterAll(() => {
    watcher?.kill('SIGINT');
  });

  it('syncs changed and new files into the running replica, not the ignored ones', async () => {
    await mkdir(join(dir, 'src/skip'));
    await writeFile(join(dir, 'src/skip/secret.txt'), 'no\n');
    await writeFile(join(dir, 'src/a.txt'), 'two\n');
    await mkdir(join(dir, 'src/new'));
    await writeFile(join(dir, 'src/new/b.txt'), 'bee\n');
    await eventually(async () => {
      expect(await cat('/app/src/a.txt')).toBe('two\n');
      expect(await cat('/app/src/new/b.txt')).toBe('bee\n');
    });
    expect((await cli('exec', '-T', 'web', 'test', '-e', '/app/src/skip/secret.txt')).code).toBe(1);
    expect(output).toMatch(/web: .*\/src changed: synced \d+ changes? into .*-web-1/);
  });

  it('removes a file deleted on the host', async () => {
    await rm(join(dir, 'src/a.txt'));
    await eventually(async () => expect((await cli('exec', '-T', 'web', 'test', '-e', '/app/src/a.txt')).code).toBe(1));
  });

  it('sync+restart restarts the replica in place: same container, the synced file still there', async () => {
    const before = await web();
    await writeFile(join(dir, 'conf/app.conf'), 'mode=fast\n');
    await eventually(() => expect(output).toContain('restarted in place'));
    await eventually(async () => {
      const after = await web();
      expect(after?.containerId).toBe(before?.containerId);
      expect(after?.phase).toBe('running');
      expect(await cat('/etc/app/app.conf')).toBe('mode=fast\n');
    });
  });

  it('the daemon still rolls out an edit of the compose file while watch runs', async () => {
    const before = (await web())?.containerId;
    await writeFile(file, compose('two'));
    await eventually(async () => {
      const after = await web();
      expect(after?.containerId).not.toBe(before);
      expect(after?.phase).toBe('running');
      expect((await cli('exec', '-T', 'web', 'sh', '-c', 'echo $GREETING')).stdout).toBe('two\n');
    });
  });
});
