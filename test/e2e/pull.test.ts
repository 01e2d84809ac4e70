// `composed pull` and `up --pull` against a real registry (scripts/setup-registry.sh): what pull
// prints on a terminal and off one, a changed image under the same tag taken by `up --pull always` and not by
// a plain `up`, and `up --pull never` refusing an absent image before anything exists.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, dockerForTests, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { LABEL_PROJECT } from '../../src/daemon/core/labels.js';
import { describeWithRegistry, docker, pushImage, REGISTRY } from '../support/registry.js';

describeWithRegistry('pull and up --pull against a real registry', () => {
  const project = uniqueProjectName('pull');
  const never = uniqueProjectName('pullnever');
  const daemon = useDaemon(project);
  const app = `${REGISTRY}/${project}/app:latest`;
  const absent = `${REGISTRY}/${project}/absent:latest`;
  let dir: string;
  /** Every image id the tag named, removed at the end: a moved tag leaves the old one untagged. */
  const seen = new Set<string>();
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });
  const imageOf = (ref: string) => {
    const id = docker('image', 'inspect', '-f', '{{.Id}}', ref);
    seen.add(id);
    return id;
  };
  const runningImage = async () => {
    const id = (await serviceStatus(daemon, project, 'web')).replicas[0]?.containerId;
    return id ? docker('inspect', '-f', '{{.Image}}', id) : undefined;
  };

  beforeAll(async () => {
    pushImage(app, 'v1');
    docker('rmi', app);
    ({ dir } = await writeProject(`
services:
  web:
    image: ${app}
    stop_grace_period: 1s
  other:
    image: ${absent}
    profiles: [never]
`));
  });

  afterAll(async () => {
    await daemon.stop();
    await cleanupProject(project);
    await cleanupProject(never);
    for (const ref of [app, absent, ...seen]) {
      try {
        docker('rmi', '-f', ref);
      } catch {
        // never pulled
      }
    }
  });

  it('pull off a terminal prints one line per image: its digest and its layers, no line per layer', async () => {
    const r = await cli('pull', 'web');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('web:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^web: ${app.replace(/[.]/g, '\\.')}: pulled sha256:[0-9a-f]{64} \\(1 layer, [0-9.]+[kM]B\\)$`));
    const again = await cli('pull', 'web');
    expect(again.stdout.split('\n').filter((l) => l.startsWith('web:'))).toEqual([expect.stringMatching(/^web: .*: up to date sha256:[0-9a-f]{64}$/)]);
  });

  it('pull on a terminal gives each layer a line, redrawn in place', async () => {
    docker('rmi', app);
    const term = spawnSync('script', ['-qec', `stty cols 120; ${process.execPath} -- ${CLI} -p ${project} pull web`, '/dev/null'], { cwd: dir, env: { ...process.env, COMPOSED_SOCKET: daemon.socket }, encoding: 'utf8' });
    expect(term.status, term.stdout).toBe(0);
    expect(term.stdout).toMatch(/web: [0-9a-f]{12}: Pulling fs layer\r?\n/);
    expect(term.stdout).toMatch(/\x1b\[1A\r\x1b\[2Kweb: [0-9a-f]{12}: Pull complete\x1b\[1B\r/);
    expect(term.stdout).toMatch(/web: .*: pulled sha256:[0-9a-f]{64} \(1 layer, /);
  });

  it('up --pull always takes a changed image under the same tag; a plain up keeps the one it has', async () => {
    const up = await cli('up', '-d', '--wait', '--wait-timeout', '60s');
    expect(up.code, up.stderr).toBe(0);
    const v1 = imageOf(app);
    expect(await runningImage()).toBe(v1);
    pushImage(app, 'v2');
    // The push leaves the new image on the host under the tag; the daemon's engine must fetch it.
    docker('tag', v1, app);
    const plain = await cli('up', '-d', '--wait', '--wait-timeout', '60s');
    expect(plain.code, plain.stderr).toBe(0);
    expect(imageOf(app)).toBe(v1);
    expect(await runningImage()).toBe(v1);
    const always = await cli('up', '-d', '--pull', 'always', '--wait', '--wait-timeout', '60s');
    expect(always.code, always.stderr).toBe(0);
    expect(always.stdout).toMatch(/web: .*: pulled sha256:/);
    const v2 = imageOf(app);
    expect(v2).not.toBe(v1);
    await eventually(async () => expect(await runningImage()).toBe(v2), { timeoutMs: 60_000 });
  });

  it('up --pull never with an absent image fails naming the service and the image, and creates nothing', async () => {
    const r = await daemon.cli(['-p', never, '--profile', 'never', 'up', '-d', '--pull', 'never', 'other'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`service other: image ${absent} is not present and its pull policy (pull_policy or up --pull) is never`);
    const engine = dockerForTests();
    const filters = { label: [`${LABEL_PROJECT}=${never}`] };
    expect((await engine.listContainers({ all: true, filters })).filter((c) => c.Labels[LABEL_PROJECT] === never)).toEqual([]);
    expect((await engine.listNetworks({ filters })).filter((n) => n.Labels?.[LABEL_PROJECT] === never)).toEqual([]);
    expect((await daemon.cli(['-p', never, 'status'])).code).not.toBe(0);
  });

  it('a --pull value up does not know is refused naming the flag', async () => {
    const r = await cli('up', '-d', '--pull', 'sometimes');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("'--pull <policy>'");
    expect(r.stderr).toContain('always, missing, never');
  });
});
