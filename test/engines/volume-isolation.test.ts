// `down -v` and anonymous volumes on every engine: Podman 4.3.1 ORs label filters on the volume
// list, and composed once removed another project's named volume and mounted it as a replica's
// anonymous volume. Each project and replica must get and remove only its own.
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { projectSelector } from '../../src/daemon/core/labels.js';
import { useDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, runtimeForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';

const runtime = runtimeForTests();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describeWithEngine('volumes of several projects on one engine', () => {
  const withData = uniqueProjectName('vol-a');
  const withAnon = uniqueProjectName('vol-b');
  const bare = uniqueProjectName('vol-c');
  const daemon = useDaemon(withData);
  afterAll(async () => {
    await cleanupProject(withAnon);
    await cleanupProject(bare);
  });

  const compose = (name: string, body: string) => `name: ${name}\nservices:\n  app:\n    image: ${TEST_IMAGE}\n${body}`;

  it("gives each replica its own anonymous volumes and removes only the project's own with down -v", async () => {
    const a = await writeProject(
      compose(withData, `    command: ["sh", "-c", "echo a-data > /data/f; exec sleep 600"]\n    volumes: ["dbdata:/data"]\nvolumes:\n  dbdata: {}\n`),
    );
    const b = await writeProject(
      compose(withAnon, `    command: ["sh", "-c", "echo b-anon > /anon/f; echo b-anon2 > /anon2/f; exec sleep 600"]\n    volumes: ["/anon", "/anon2"]\n    deploy: { replicas: 2 }\n`),
    );
    const c = await writeProject(compose(bare, `    command: ["sleep", "600"]\n`));
    for (const p of [a, b, c]) expect((await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: p.dir })).code).toBe(0);

    const mountsOf = async (project: string) =>
      Promise.all(
        (await runtime.listContainers(projectSelector(project))).map(async (ctr) => (await runtime.inspectContainer(ctr.id))?.mounts ?? []),
      );
    const [aMounts] = await mountsOf(withData);
    const dataVolume = aMounts?.find((m) => m.destination === '/data')?.name;
    expect(dataVolume).toBe(`${withData}_dbdata`);
    const bVolumes = (await mountsOf(withAnon)).flat().map((m) => m.name ?? '');
    // Four anonymous volumes (two replicas x two targets), all distinct, none of them the other project's.
    expect(new Set(bVolumes).size).toBe(4);
    expect(bVolumes).not.toContain(dataVolume);
    expect(docker('run', '--rm', '-v', `${dataVolume}:/d`, TEST_IMAGE, 'cat', '/d/f')).toBe('a-data');

    expect((await daemon.cli(['down', '-v'], { cwd: c.dir })).code).toBe(0);
    expect((await daemon.cli(['down', '-v'], { cwd: b.dir })).code).toBe(0);
    const left = docker('volume', 'ls', '-q').split('\n');
    expect(left).toContain(dataVolume);
    for (const name of bVolumes) expect(left).not.toContain(name);
    expect(docker('run', '--rm', '-v', `${dataVolume}:/d`, TEST_IMAGE, 'cat', '/d/f')).toBe('a-data');
  });
});
