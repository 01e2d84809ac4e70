// The supervisor end to end: the CLI and daemon as a user runs them, against the real engine.
import { execFileSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import type { DaemonEvent, ProjectStatus, ServiceStatus } from '../../src/protocol/api.js';
import type { ContainerSummary } from '../../src/daemon/ports/runtime.js';
import { projectSelector } from '../../src/daemon/core/labels.js';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, runtimeForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const runtime = runtimeForTests();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

async function containers(project: string): Promise<ContainerSummary[]> {
  return runtime.listContainers(projectSelector(project));
}


function service(s: ProjectStatus, name: string): ServiceStatus {
  const found = s.services.find((x) => x.name === name);
  if (!found) throw new Error(`no service ${name} in status`);
  return found;
}

describeWithEngine('supervisor: crashed replicas are replaced with their config and volumes', () => {
  const project = uniqueProjectName('sup');
  const daemon = useDaemon(project);
  let dir: string;

  beforeAll(async () => {
    ({ dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 3' TERM; echo started; while true; do sleep 0.2; done"]
    environment:
      GREETING: hello
    labels:
      shop.tier: backend
    volumes:
      - data:/data
      - /scratch
    deploy:
      restart_policy: { delay: 0s }
volumes:
  data: {}
`));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir });
    expect(up.stderr + up.stdout).toContain('is ready');
    expect(up.code).toBe(0);
  });


  async function runningReplica(excludeId?: string): Promise<ContainerSummary> {
    return eventually(async () => {
      const list = await containers(project);
      expect(list).toHaveLength(1);
      const c = list[0]!;
      expect(c.state).toBe('running');
      if (excludeId) expect(c.id).not.toBe(excludeId);
      return c;
    });
  }

  function describeReplica(id: string) {
    const inspect = JSON.parse(docker('inspect', id))[0];
    return {
      name: inspect.Name,
      env: inspect.Config.Env.filter((e: string) => e.startsWith('GREETING=')),
      label: inspect.Config.Labels['shop.tier'],
      networks: Object.keys(inspect.NetworkSettings.Networks).sort(),
      mounts: inspect.Mounts.map((m: { Type: string; Name: string; Destination: string }) => `${m.Type}:${m.Name}:${m.Destination}`).sort(),
      restartPolicy: inspect.HostConfig.RestartPolicy.Name,
    };
  }

  it('replaces a replica after docker kill, its own crash, and docker rm -f, keeping name, env, labels, networks and volume data', async () => {
    const first = await runningReplica();
    const original = describeReplica(first.id);
    expect(original).toMatchObject({ name: `/${project}-app-1`, env: ['GREETING=hello'], label: 'backend', networks: [`${project}_default`], restartPolicy: 'no' });
    docker('exec', first.id, 'sh', '-c', 'echo named > /data/proof && echo anonymous > /scratch/proof');

    docker('kill', first.id);
    const second = await runningReplica(first.id);
    expect(describeReplica(second.id)).toEqual(original);

    docker('exec', second.id, 'sh', '-c', 'kill 1'); // the trap exits 3: the main process fails by itself
    const third = await runningReplica(second.id);
    expect(describeReplica(third.id)).toEqual(original);

    docker('rm', '-f', third.id);
    const fourth = await runningReplica(third.id);
    expect(describeReplica(fourth.id)).toEqual(original);
    expect(docker('exec', fourth.id, 'cat', '/data/proof', '/scratch/proof')).toBe('named\nanonymous');

    const s = service(await projectStatus(daemon, project), 'app');
    expect(s.restarts).toBe(3);
    // `rm -f` of a running container sends die before destroy (Docker 20.10: kill, die, destroy;
    // Podman 4.3.1: die, then remove after its cleanup step). A sync between the two sees the
    // container exited by SIGKILL and records that; one after sees it gone. Both are what the engine
    // showed at that moment, and the replacement is the same (seen both ways in fresh-clone runs).
    const last = s.replicas[0]?.lastExit;
    if (last?.cause === 'exit') expect(last.exitCode).toBe(137);
    else expect(last).toMatchObject({ cause: 'removed' });
  });

  it('running `up` again with the same file changes nothing', async () => {
    const before = await runningReplica();
    const again = await daemon.cli(['up'], { cwd: dir });
    expect(again.code).toBe(0);
    const after = await runningReplica();
    expect(after.id).toBe(before.id);
  });
});

describeWithEngine('supervisor: on-failure:3 gives up with growing delays', () => {
  const project = uniqueProjectName('giveup');
  const daemon = useDaemon(project);

  it('restarts 3 times, doubling the delay, then shows failed with the reason and the last log lines', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  crasher:
    image: ${TEST_IMAGE}
    restart: on-failure:3
    command: ["sh", "-c", "echo about to fail; exit 7"]
    deploy:
      restart_policy: { condition: on-failure, max_attempts: 3, delay: 300ms }
`);
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    const failed = await eventually(
      async () => {
        const s = service(await projectStatus(daemon, project), 'crasher');
        expect(s.phase).toBe('failed');
        // The decision shows at once; the dead container's log lines are read right after it.
        expect(s.replicas[0]?.lastExit?.logTail.length).toBeGreaterThan(0);
        return s;
      },
      { timeoutMs: 60_000 },
    );
    const replica = failed.replicas[0]!;
    expect(failed.message).toBe('exited 7; gave up after 3 restarts (max_attempts 3)');
    expect(replica.restartTimes).toHaveLength(3);
    expect(replica.lastExit).toMatchObject({ cause: 'exit', exitCode: 7, oomKilled: false });
    expect(replica.lastExit?.logTail).toContain('about to fail');
    // The decisions double the delay: 300, 600, 1200 ms.
    const backoffs: string[] = [];
    for await (const e of daemon.client.lines<DaemonEvent>(`/v1/events?project=${project}&since=0`)) if (e.type === 'backoff') backoffs.push(e.message);
    expect(backoffs).toEqual(['exited 7; restart 1 of 3 after 300 ms', 'exited 7; restart 2 of 3 after 600 ms', 'exited 7; restart 3 of 3 after 1200 ms']);
    // Each gap between restarts holds at least the delay decided before it (plus the run, which
    // depends on the machine's load, so the gaps are bounded below only).
    const times = replica.restartTimes.map((t) => Date.parse(t));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(600);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(1_200);

    const human = await daemon.cli(['status', '-p', project]);
    expect(human.stdout).toMatch(/crasher\s+failed/);
    expect(human.stdout).toContain('gave up after 3 restarts');
  });
});

describeWithEngine('supervisor: the daemon itself may die; nothing else may', () => {
  const project = uniqueProjectName('crash');
  const daemon = useDaemon(project);

  it('after kill -9, a replica killed meanwhile is replaced, none is duplicated, running ones keep their ids', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "while true; do sleep 1; done"]
    restart: always
    deploy: { replicas: 3, restart_policy: { delay: 0s } }
`);
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    const before = await eventually(async () => {
      const list = await containers(project);
      expect(list.filter((c) => c.state === 'running')).toHaveLength(3);
      return list;
    });
    await daemon.kill9();
    const victim = before.find((c) => c.name === `${project}-web-2`)!;
    docker('kill', victim.id);
    await daemon.start();
    const after = await eventually(async () => {
      const list = await containers(project);
      expect(list.map((c) => `${c.name}:${c.state}`)).toEqual([`${project}-web-1:running`, `${project}-web-2:running`, `${project}-web-3:running`]);
      return list;
    });
    expect(after.find((c) => c.name.endsWith('-1'))?.id).toBe(before.find((c) => c.name.endsWith('-1'))?.id);
    expect(after.find((c) => c.name.endsWith('-3'))?.id).toBe(before.find((c) => c.name.endsWith('-3'))?.id);
    expect(after.find((c) => c.name.endsWith('-2'))?.id).not.toBe(victim.id);
  });
});

describeWithEngine('supervisor: down', () => {
  const project = uniqueProjectName('down');
  const daemon = useDaemon(project);

  const volumes = () => docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`).split('\n').filter(Boolean);
  const networks = () => docker('network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`).split('\n').filter(Boolean);

  it('keeps named volumes without -v, removes them with -v, and leaves nothing labelled behind', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  db:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    volumes: [dbdata:/var/lib/db, /cache]
volumes:
  dbdata: {}
`);
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    expect(volumes()).toHaveLength(2); // the named one and the replica's anonymous one
    const down = await daemon.cli(['down'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(await containers(project)).toEqual([]);
    expect(networks()).toEqual([]);
    expect(volumes().length).toBeGreaterThanOrEqual(1);
    expect(docker('volume', 'inspect', `${project}_dbdata`, '--format', '{{.Name}}')).toBe(`${project}_dbdata`);

    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    const downV = await daemon.cli(['down', '-v'], { cwd: dir });
    expect(downV.code).toBe(0);
    expect(await containers(project)).toEqual([]);
    expect(volumes()).toEqual([]);
    expect(networks()).toEqual([]);
    const st = await daemon.cli(['status', '-p', project]);
    expect(st.code).toBe(1);
    expect(st.stderr).toContain(`no project named "${project}" is supervised`);
  });
});
