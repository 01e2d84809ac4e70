// A user's stop and restart with -t, post_start/pre_stop hooks, and up --no-start, against the
// real engine: what the container shows (its exit code, its files, its state) says what happened.
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const state = (id: string) => docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id);

describeWithEngine('stop -t, lifecycle hooks and up --no-start', () => {
  const project = uniqueProjectName('life');
  const daemon = useDaemon(project);
  let dir: string;
  const cli = (...args: string[]) => daemon.cli(['-p', project, ...args], { cwd: dir });
  const replica = async (service: string) => (await projectStatus(daemon, project)).services.find((s) => s.name === service)?.replicas[0];
  const events = async () => (await cli('events', '--no-follow')).stdout;

  beforeAll(async () => {
    ({ dir } = await writeProject(`
services:
  stubborn:
    image: ${TEST_IMAGE}
    # Ignores TERM: only SIGKILL ends it, so its exit code says which grace ran out.
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]
    stop_grace_period: 5m
  hooked:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    post_start:
      - command: ["sh", "-c", "echo \\"$$GREETING\\" > /tmp/post-start; echo hello-from-post-start"]
        environment: { GREETING: set-by-hook }
    pre_stop:
      - command: ["sh", "-c", "echo bye-from-pre-stop; test -f /tmp/post-start"]
  failing:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    post_start: [{ command: ["sh", "-c", "echo broken; exit 3"] }]
`));
    const up = await cli('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => {
      for (const s of ['stubborn', 'hooked', 'failing']) expect((await replica(s))?.phase).toBe('running');
    });
  });

  it('stop -t 1 kills a process that ignores TERM after 1 s instead of its 5 min stop_grace_period', async () => {
    const id = (await replica('stubborn'))!.containerId!;
    const stop = await cli('stop', '-t', '1', 'stubborn');
    expect(stop).toMatchObject({ code: 0, stdout: 'stubborn stopped\n' });
    // With the 5 min grace it would still be running here; 137 is the SIGKILL after the short one.
    await eventually(() => expect(state(id)).toBe('exited 137'));
    expect((await cli('stop', '-t', 'soon', 'stubborn')).stderr).toContain('-t: "soon" is not a whole number of seconds');
  });

  it('restart -t 0 replaces the replica at once, its old container killed', async () => {
    expect((await cli('start', 'stubborn')).code).toBe(0);
    const before = await eventually(async () => {
      const r = await replica('stubborn');
      expect(r?.phase).toBe('running');
      return r!.containerId!;
    });
    expect((await cli('restart', '-t', '0', 'stubborn')).code).toBe(0);
    await eventually(async () => {
      const r = await replica('stubborn');
      expect(r?.containerId).not.toBe(before);
      expect(r?.phase).toBe('running');
    });
  });

  it('post_start runs in the started container with its environment; its output is in the events', async () => {
    await eventually(async () => expect(await events()).toContain('post_start hook 1 exited with status 0: hello-from-post-start'));
    expect((await cli('exec', '-T', 'hooked', 'cat', '/tmp/post-start')).stdout).toBe('set-by-hook\n');
  });

  it('a failing post_start is reported and its container keeps running, as compose leaves it', async () => {
    await eventually(async () => expect(await events()).toContain('post_start hook 1 exited with status 3 (the container keeps running, as docker compose leaves it): broken'));
    const r = await replica('failing');
    expect(r?.phase).toBe('running');
    expect(state(r!.containerId!)).toBe('running 0');
  });

  it('pre_stop runs in the container before composed stop stops it', async () => {
    const id = (await replica('hooked'))!.containerId!;
    expect((await cli('stop', 'hooked')).code).toBe(0);
    await eventually(() => expect(state(id)).toBe('exited 0'));
    // Exit 0 of the hook's `test -f`: it ran inside the running container, after post_start.
    expect(await events()).toContain('pre_stop hook 1 exited with status 0: bye-from-pre-stop');
  });

  it('up --no-start creates the containers and starts nothing; start starts those very containers', async () => {
    expect((await cli('down', '-t', '0')).code).toBe(0);
    const up = await cli('up', '--no-start');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(`project ${project} is created; \`composed start\` starts it`);
    const created = (await replica('hooked'))!.containerId!;
    expect(state(created)).toBe('created 0');
    expect((await cli('start')).code).toBe(0);
    await eventually(async () => expect((await replica('hooked'))?.phase).toBe('running'));
    expect((await replica('hooked'))?.containerId).toBe(created);
  });
});
