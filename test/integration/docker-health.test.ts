// Health as the adapter reports it on every engine: from inspect (Docker), or from the daemon's own
// exec probes where the engine runs none (Podman without systemd). The list's Status text is not used.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Project, Service } from '../../src/compose/model.js';
import type { RuntimeEvent } from '../../src/daemon/ports/runtime.js';
import { projectSelector, replicaName } from '../../src/daemon/core/labels.js';
import { eventually } from '../support/eventually.js';
import { cleanupProject, describeWithEngine, dockerForTests, runtimeForTests, serviceForTests, uniqueProjectName } from '../support/engine.js';
import { projectFixture } from '../support/fixtures.js';
import { engineKind } from '../engines/engine-kind.js';

const runtime = runtimeForTests();
const docker = dockerForTests();
const PROJECT = uniqueProjectName('health');

async function runReplica(project: Project, service: Service): Promise<string> {
  for (const [key, network] of Object.entries(project.networks)) await runtime.ensureNetwork(project, key, network);
  const id = await runtime.createReplica({ project, service, number: 1, name: replicaName(project.name, service.name, 1), configHash: 'h' });
  await runtime.startContainer(id);
  return id;
}

async function execIn(id: string, cmd: string[]): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
}

describeWithEngine('container health on this engine', () => {
  beforeAll(() => cleanupProject(PROJECT));
  afterAll(() => cleanupProject(PROJECT));

  it('turns starting -> unhealthy -> healthy from the probes, with their output, and says who probes', async () => {
    const abort = new AbortController();
    const seen: RuntimeEvent[] = [];
    const consuming = (async () => {
      for await (const event of runtime.events(abort.signal)) seen.push(event);
    })();
    try {
      await eventually(() => expect(seen[0]).toEqual({ kind: 'connected' }));
      const svc = serviceForTests('checked', {
        command: ['sleep', '1000'],
        healthcheck: { test: ['CMD-SHELL', 'echo probing; test -f /tmp/ok'], intervalMs: 500, timeoutMs: 2_000, retries: 2 },
      });
      const project = projectFixture(PROJECT, [svc]);
      const id = await runReplica(project, svc);
      const listed = async () => (await runtime.listContainers(projectSelector(PROJECT))).find((c) => c.id === id)?.health;

      expect(await listed()).toBe('starting');
      await eventually(async () => expect(await listed()).toBe('unhealthy'), { timeoutMs: 20_000 });
      const details = await runtime.inspectContainer(id);
      expect(details?.health).toBe('unhealthy');
      expect(details?.healthLog.at(-1)).toMatchObject({ exitCode: 1, output: 'probing\n' });

      await execIn(id, ['touch', '/tmp/ok']);
      await eventually(async () => expect(await listed()).toBe('healthy'), { timeoutMs: 20_000 });
      const changes = () => seen.flatMap((e) => (e.kind === 'container' && e.id === id && e.action === 'health_status' ? [e.health] : []));
      // Docker's events carry the new status; Podman's (when it probes) and ours too.
      await eventually(() => expect(changes()).toContain('unhealthy'));

      // Podman 4.3.1 without systemd runs no probes at all: the daemon runs them, and says so.
      const kind = await engineKind();
      const probedByUs = runtime.daemonProbesHealth(PROJECT, 'checked');
      expect({ kind, probedByUs }).toEqual({ kind, probedByUs: kind === 'podman' });
    } finally {
      abort.abort();
      await consuming;
    }
  });

  it('reports none for a running container without a healthcheck', async () => {
    const svc = serviceForTests('plain', { command: ['sleep', '1000'] });
    const id = await runReplica(projectFixture(PROJECT, [svc]), svc);
    const [listed] = (await runtime.listContainers(projectSelector(PROJECT))).filter((c) => c.id === id);
    expect(listed).toMatchObject({ state: 'running', health: 'none' });
  });
});
