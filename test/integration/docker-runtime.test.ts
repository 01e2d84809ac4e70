import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Project, Service } from '../../src/compose/model.js';
import type { RuntimeEvent } from '../../src/daemon/ports/runtime.js';
import { RuntimeError } from '../../src/daemon/docker/errors.js';
import { LABEL_ANON_NUMBER, LABEL_ANON_TARGET, LABEL_PROJECT, projectSelector, replicaName } from '../../src/daemon/core/labels.js';
import { eventually } from '../support/eventually.js';
import { cleanupProject, describeWithEngine, dockerForTests, runtimeForTests, serviceForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { networkFixture, projectFixture, volumeFixture } from '../support/fixtures.js';
import { engineKind } from '../engines/engine-kind.js';

const runtime = runtimeForTests();
const docker = dockerForTests();
const PROJECT = uniqueProjectName('runtime');
const kind = await engineKind();

/** Networks, volumes, create, start: what the executor does for one replica. */
async function runReplica(project: Project, service: Service, number: number): Promise<string> {
  for (const [key, network] of Object.entries(project.networks)) await runtime.ensureNetwork(project, key, network);
  for (const [key, volume] of Object.entries(project.volumes)) await runtime.ensureVolume(project, key, volume);
  const id = await runtime.createReplica({
    project,
    service,
    number,
    name: replicaName(project.name, service.name, number),
    configHash: 'hash-1',
  });
  await runtime.startContainer(id);
  return id;
}

async function waitExited(id: string): Promise<void> {
  await eventually(async () => expect((await runtime.inspectContainer(id))?.state).toBe('exited'));
}

describeWithEngine('Docker runtime adapter', () => {
  beforeAll(() => cleanupProject(PROJECT));
  afterAll(() => cleanupProject(PROJECT));

  it('creates, starts, inspects, stops and removes a labelled replica serving on 127.0.0.1 only', async () => {
    const web = serviceForTests('web', {
      environment: { GREETING: 'hi there', UNSET: null },
      labels: { 'example.team': 'blue' },
      command: ['sh', '-c', 'echo "hello $GREETING" > /var/www/index.html && exec httpd -f -p 80 -h /var/www'],
      ports: [{ target: 80, hostIp: '127.0.0.1', protocol: 'tcp', mode: 'ingress' }],
      stopGracePeriodMs: 1_000,
    });
    const project = projectFixture(PROJECT, [web]);
    const id = await runReplica(project, web, 1);

    const details = await runtime.inspectContainer(id);
    expect(details).toMatchObject({ name: `${PROJECT}-web-1`, state: 'running', health: 'none', exitCode: 0, oomKilled: false, finishedAt: 0 });
    expect(details?.startedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(details?.labels).toMatchObject({
      'example.team': 'blue',
      [LABEL_PROJECT]: PROJECT,
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '1',
      'com.docker.compose.config-hash': 'hash-1',
      'com.docker.compose.oneoff': 'False',
      'dev.composed.managed': 'true',
    });
    expect(Object.keys(details?.addresses ?? {})).toEqual([`${PROJECT}_default`]);

    const raw = await docker.getContainer(id).inspect();
    expect(raw.Config.Env).toContain('GREETING=hi there');
    expect(raw.Config.Env.some((e) => e.startsWith('UNSET'))).toBe(false);
    expect(raw.HostConfig.RestartPolicy).toMatchObject({ Name: 'no' });
    expect(raw.NetworkSettings.Networks[`${PROJECT}_default`]?.Aliases).toContain('web');
    const binding = raw.NetworkSettings.Ports['80/tcp']?.[0];
    expect(binding?.HostIp).toBe('127.0.0.1');
    const body = await eventually(async () => (await fetch(`http://127.0.0.1:${binding?.HostPort}/`)).text());
    expect(body).toBe('hello hi there\n');

    const listed = await runtime.listContainers(projectSelector(PROJECT));
    expect(listed.map((c) => [c.id, c.name, c.state])).toContainEqual([id, `${PROJECT}-web-1`, 'running']);

    await runtime.stopContainer(id, { timeoutSeconds: 1 });
    expect(await runtime.inspectContainer(id)).toMatchObject({ state: 'exited' });
    await runtime.stopContainer(id, { timeoutSeconds: 1 }); // already stopped: still fine
    await runtime.removeContainer(id);
    await runtime.removeContainer(id); // already gone: still fine
    expect(await runtime.inspectContainer(id)).toBeUndefined();
  });

  it('keeps named and anonymous volume data for a replacement replica with the same number after docker rm -f', async () => {
    const svc = serviceForTests('store', {
      environment: { MARK: 'first' },
      command: [
        'sh',
        '-c',
        'echo "named=$(cat /data/f 2>/dev/null) anon=$(cat /cache/f 2>/dev/null)"; ' +
          '[ -f /data/f ] || echo "$MARK" > /data/f; [ -f /cache/f ] || echo "$MARK" > /cache/f; exec sleep 1000',
      ],
      volumes: [
        { type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: false },
        { type: 'volume', target: '/cache', readOnly: false, nocopy: false },
      ],
    });
    const project = projectFixture(PROJECT, [svc], { volumes: { data: volumeFixture(`${PROJECT}_data`) } });
    const first = await runReplica(project, svc, 1);
    await eventually(async () => expect(await runtime.logsTail(first, 5)).toEqual(['named= anon=']));

    await docker.getContainer(first).remove({ force: true });
    const second = await runReplica(project, { ...svc, environment: { MARK: 'second' } }, 1);
    await eventually(async () => expect(await runtime.logsTail(second, 5)).toEqual(['named=first anon=first']));

    const cache = (await runtime.inspectContainer(second))?.mounts.find((m) => m.destination === '/cache');
    const anon = await docker.getVolume(cache?.name ?? '').inspect();
    expect(anon.Labels).toMatchObject({ [LABEL_ANON_NUMBER]: '1', [LABEL_ANON_TARGET]: '/cache', [LABEL_PROJECT]: PROJECT });

    // Another replica number gets its own anonymous volume but shares the named one.
    const other = await runReplica(project, svc, 2);
    await eventually(async () => expect(await runtime.logsTail(other, 5)).toEqual(['named=first anon=']));

    for (const id of [second, other]) await runtime.removeContainer(id, { force: true });
    await runtime.removeProjectVolumes(project);
    const { Volumes } = await docker.listVolumes({ filters: { label: [`${LABEL_PROJECT}=${PROJECT}`] } });
    expect(Volumes ?? []).toEqual([]);
  });

  it('reports kill as die with the exit code, OOM kills, and health transitions', async () => {
    const controller = new AbortController();
    const seen: RuntimeEvent[] = [];
    const consuming = (async () => {
      for await (const event of runtime.events(controller.signal)) seen.push(event);
    })();
    await eventually(() => expect(seen[0]).toEqual({ kind: 'connected' }));
    const mine = (action: string, name: string) =>
      seen.filter((e) => e.kind === 'container' && e.action === action && e.name === name);
    try {
      const sleeper = serviceForTests('sleeper', { command: ['sleep', '1000'] });
      const checked = serviceForTests('checked', {
        command: ['sh', '-c', 'touch /tmp/ok; sleep 3; rm /tmp/ok; exec sleep 1000'],
        healthcheck: { test: ['CMD', 'test', '-f', '/tmp/ok'], intervalMs: 500, timeoutMs: 2_000, retries: 1 },
      });
      // The hungry replica allocates only once the test says so, after the engine's start call
      // returned: containerd's shim (runc v2) registers a cgroup v1 container's OOM notifier only
      // after the process is running (`s.ep.Add` follows `container.Start` in the shim's Start), so
      // an OOM in that window is never reported: no `oom` event and inspect says OOMKilled false
      // (seen once in a fresh-clone run at load ~10: `die` 137 alone).
      const hungry = serviceForTests('hungry', {
        command: ['sh', '-c', 'while [ ! -e /tmp/allocate ]; do sleep 0.05; done; x=a; while :; do x="$x$x"; done'],
        resources: { limits: { memoryBytes: 8 * 1024 * 1024 }, reservations: {} },
      });
      const project = projectFixture(PROJECT, [sleeper, checked, hungry]);
      // The daemon supervises what it lists: where it runs the probes itself (Podman), it follows those projects' starts.
      await runtime.listContainers(projectSelector(PROJECT));
      const sleeperId = await runReplica(project, sleeper, 1);
      await runReplica(project, checked, 1);
      const hungryId = await runReplica(project, hungry, 1);
      const allocate = await docker.getContainer(hungryId).exec({ Cmd: ['touch', '/tmp/allocate'] });
      (await allocate.start({ Detach: true }))?.destroy();

      await docker.getContainer(sleeperId).kill();
      const die = await eventually(() => {
        const [event] = mine('die', `${PROJECT}-sleeper-1`);
        expect(event).toBeDefined();
        return event;
      });
      expect(die).toMatchObject({ kind: 'container', id: sleeperId, exitCode: 137, labels: { 'com.docker.compose.service': 'sleeper' } });
      expect(mine('kill', `${PROJECT}-sleeper-1`)).toHaveLength(1);

      // Podman 4.3.1 (cgroup v1) sends no `oom` event and inspect says OOMKilled false: an OOM kill
      // there looks like any SIGKILL (137).
      // dockerd 20.10 sends the two in either order: it handles containerd's TaskOOM and TaskExit
      // apart (a fresh-clone run saw `die` 137, then `oom`), so only that both come is asserted.
      const oomSeen = kind === 'docker';
      await eventually(() => {
        const sequence = seen.filter((e) => e.kind === 'container' && e.id === hungryId && (e.action === 'oom' || e.action === 'die'));
        const pairs = sequence.map((e) => (e.kind === 'container' ? `${e.action} ${e.exitCode ?? '-'}` : '')).sort();
        expect(pairs).toEqual(['die 137', ...(oomSeen ? ['oom -'] : [])]);
      });
      expect(await runtime.inspectContainer(hungryId)).toMatchObject({ state: 'exited', exitCode: 137, oomKilled: oomSeen });

      const health = await eventually(
        () => {
          const states = mine('health_status', `${PROJECT}-checked-1`).map((e) => (e.kind === 'container' ? e.health : ''));
          expect(states).toEqual(['healthy', 'unhealthy']);
          return states;
        },
        { timeoutMs: 20_000 },
      );
      expect(health).toHaveLength(2);
      const checkedDetails = await runtime.inspectContainer(`${PROJECT}-checked-1`);
      expect(checkedDetails?.health).toBe('unhealthy');
      expect(checkedDetails?.healthLog.at(-1)?.exitCode).toBe(1);
    } finally {
      controller.abort();
      await consuming;
    }
    expect(seen.at(-1)?.kind).not.toBe('disconnected');
  });

  it('samples growing CPU time of a busy container, nothing for a stopped one', async () => {
    const busy = serviceForTests('busy', { command: ['sh', '-c', 'while :; do :; done'], stopGracePeriodMs: 0 });
    const id = await runReplica(projectFixture(PROJECT, [busy]), busy, 1);
    const first = await runtime.cpuSample(id);
    expect(first?.cpuNanos).toBeGreaterThanOrEqual(0);
    const later = await eventually(async () => {
      const sample = await runtime.cpuSample(`${PROJECT}-busy-1`);
      expect(sample!.cpuNanos - first!.cpuNanos).toBeGreaterThan(100_000_000);
      return sample!;
    });
    expect(later.atNanos).toBeGreaterThan(first!.atNanos);
    await runtime.stopContainer(id, { timeoutSeconds: 0 });
    expect(await runtime.cpuSample(id)).toBeUndefined();
    expect(await runtime.cpuSample('no-such-container-anywhere')).toBeUndefined();
  });

  it('returns the last log lines of stdout and stderr, with and without a TTY', async () => {
    const script = 'for i in $(seq 1 20); do echo "line $i"; done; sleep 0.2; echo oops >&2';
    const plain = serviceForTests('chatty', { command: ['sh', '-c', script] });
    const tty = serviceForTests('tty', { command: ['sh', '-c', script], tty: true });
    const project = projectFixture(PROJECT, [plain, tty]);
    const plainId = await runReplica(project, plain, 1);
    const ttyId = await runReplica(project, tty, 1);
    await waitExited(plainId);
    await waitExited(ttyId);
    expect(await runtime.logsTail(plainId, 3)).toEqual(['line 19', 'line 20', 'oops']);
    expect(await runtime.logsTail(ttyId, 2)).toEqual(['line 20', 'oops']);

    const controller = new AbortController();
    const followed: string[] = [];
    for await (const line of runtime.followLogs(plainId, { tail: 2, signal: controller.signal })) followed.push(line);
    expect(followed).toEqual(['line 20', 'oops']);

    const talker = serviceForTests('talker', { command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.1; done'] });
    const talkerId = await runReplica(projectFixture(PROJECT, [talker]), talker, 1);
    const live = new AbortController();
    const ticks: string[] = [];
    for await (const line of runtime.followLogs(talkerId, { tail: 0, signal: live.signal })) {
      ticks.push(line);
      if (ticks.length === 3) live.abort();
    }
    expect(ticks).toHaveLength(3);
    expect(ticks[0]).toMatch(/^tick \d+$/);
  });

  it('connects every service network with the service name as alias', async () => {
    const svc = serviceForTests('multi', {
      command: ['sleep', '1000'],
      networks: { default: { aliases: [], priority: 0 }, back: { aliases: ['db-proxy'], priority: 5 } },
    });
    const project = projectFixture(PROJECT, [svc], {
      networks: { default: networkFixture(`${PROJECT}_default`), back: networkFixture(`${PROJECT}_back`, { internal: true }) },
    });
    const id = await runReplica(project, svc, 1);
    const raw = await docker.getContainer(id).inspect();
    // Podman 4.3.1 reports NetworkMode "bridge" for a container on named networks; the networks themselves are right.
    expect(raw.HostConfig.NetworkMode).toBe(kind === 'podman' ? 'bridge' : `${PROJECT}_back`);
    expect(raw.NetworkSettings.Networks[`${PROJECT}_back`]?.Aliases).toEqual(expect.arrayContaining(['multi', 'db-proxy']));
    expect(raw.NetworkSettings.Networks[`${PROJECT}_default`]?.Aliases).toEqual(expect.arrayContaining(['multi']));
    const network = await docker.getNetwork(`${PROJECT}_back`).inspect();
    expect(network.Labels).toMatchObject({ [LABEL_PROJECT]: PROJECT, 'com.docker.compose.network': 'back', 'dev.composed.managed': 'true' });
    expect(network.Internal).toBe(true);

    await runtime.removeContainer(id, { force: true });
    await runtime.removeNetwork(project, 'back', project.networks['back']!);
    await runtime.removeNetwork(project, 'back', project.networks['back']!); // already gone
    const missing = networkFixture(`${PROJECT}_nowhere`, { external: true });
    await expect(runtime.ensureNetwork(project, 'ext', missing)).rejects.toThrow(/external but does not exist/);
  });

  it('leaves a network someone else still uses in place and says who, instead of failing', async () => {
    const project = projectFixture(PROJECT, [], { networks: { shared: networkFixture(`${PROJECT}_shared`) } });
    await runtime.ensureNetwork(project, 'shared', project.networks['shared']!);
    // Someone else's container on the project network (labelled only so cleanup finds it).
    const other = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ['sleep', '600'],
      name: `${PROJECT}-someone-else`,
      Labels: { [LABEL_PROJECT]: PROJECT },
      HostConfig: { NetworkMode: `${PROJECT}_shared` },
    });
    await other.start();
    const left = await runtime.removeNetwork(project, 'shared', project.networks['shared']!);
    expect(left).toBe(`left in place: still used by ${PROJECT}-someone-else`);
    expect((await docker.getNetwork(`${PROJECT}_shared`).inspect()).Name).toBe(`${PROJECT}_shared`);
    await other.remove({ force: true });
    expect(await runtime.removeNetwork(project, 'shared', project.networks['shared']!)).toBeUndefined();
  });

  it('builds an image honouring .dockerignore, and explains an image that cannot be pulled', async () => {
    const context = await mkdtemp(join(tmpdir(), 'composed-build-'));
    const tag = `${PROJECT}-built:latest`;
    try {
      await writeFile(join(context, 'Dockerfile'), 'FROM busybox:latest\nARG FLAVOUR\nRUN echo "$FLAVOUR" > /flavour\nCOPY . /ctx/\nVOLUME /state\n');
      await writeFile(join(context, '.dockerignore'), 'secret.txt\n');
      await writeFile(join(context, 'keep.txt'), 'kept\n');
      await writeFile(join(context, 'secret.txt'), 'nope\n');
      const built = serviceForTests('built', {
        image: tag,
        pullPolicy: 'build',
        build: { context, dockerfile: 'Dockerfile', args: { FLAVOUR: 'vanilla' }, labels: { [LABEL_PROJECT]: PROJECT } },
        command: ['sh', '-c', 'cat /flavour; ls /ctx'],
      });
      const progress: string[] = [];
      await runtime.ensureImage(projectFixture(PROJECT, [built]), built, (line) => progress.push(line));
      // Docker 20.10's classic builder prints "Step 1/3 : FROM ...", Podman 4.3.1's buildah "STEP 1/3: FROM ...".
      expect(progress.some((line) => /step 1\/\d+ ?: FROM busybox:latest/i.test(line))).toBe(true);
      expect(await runtime.imageId(tag)).toMatch(/^sha256:/);

      const project = projectFixture(PROJECT, [built]);
      const id = await runReplica(project, built, 1);
      await waitExited(id);
      expect(await runtime.logsTail(id, 10)).toEqual(['vanilla', 'Dockerfile', 'keep.txt']);
      // The image's VOLUME became the replica's own labelled volume.
      const state = (await runtime.inspectContainer(id))?.mounts.find((m) => m.destination === '/state');
      expect((await docker.getVolume(state?.name ?? '').inspect()).Labels).toMatchObject({ [LABEL_ANON_TARGET]: '/state' });
    } finally {
      await cleanupProject(PROJECT);
      await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
      await rm(context, { recursive: true, force: true });
    }

    const missing = serviceForTests('missing', { image: 'busybox:nope-composed-test' });
    const error = await runtime.ensureImage(projectFixture(PROJECT, [missing]), missing, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as Error).message).toMatch(/^image busybox:nope-composed-test not found and no registry reachable: /);
    const never = serviceForTests('never', { image: 'busybox:nope-composed-test', pullPolicy: 'never' });
    await expect(runtime.ensureImage(projectFixture(PROJECT, [never]), never, () => {})).rejects.toThrow(/is not present and its pull policy .* is never/);
    await runtime.ensureImage(projectFixture(PROJECT, [serviceForTests('present')]), serviceForTests('present'), () => {});
  });

  it('refuses a volume subpath that this engine would silently ignore', async () => {
    const version = (await docker.version()).ApiVersion;
    const svc = serviceForTests('sub', {
      volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: false, nocopy: false, subpath: 'inner' }],
    });
    const project = projectFixture(PROJECT, [svc], { volumes: { data: volumeFixture(`${PROJECT}_data`) } });
    const attempt = runReplica(project, svc, 1);
    if (Number(version.split('.')[1]) < 45) await expect(attempt).rejects.toMatchObject({ kind: 'terminal', message: expect.stringMatching(/subpath/) });
    else await attempt;
  });

  it('classifies engine errors for the controller', async () => {
    const error = await runtime.renameContainer('no-such-container-anywhere', 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'not-found' });
    const svc = serviceForTests('dup', { command: ['true'] });
    const project = projectFixture(PROJECT, [svc]);
    await runReplica(project, svc, 1);
    const conflict = await runReplica(project, svc, 1).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ kind: 'conflict' });
  });
});
