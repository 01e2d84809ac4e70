// The event stream's reconnect, exercised against the real engine through a unix-socket proxy we
// can cut, and against a socket nobody listens on.
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { RuntimeEvent } from '../../src/daemon/ports/runtime.js';
import { DockerRuntime } from '../../src/daemon/docker/runtime.js';
import { DEFAULT_SOCKET, engineAddressFromEnv } from '../../src/daemon/docker/client.js';
import { replicaName } from '../../src/daemon/core/labels.js';
import { eventually } from '../support/eventually.js';
import { cleanupProject, describeWithEngine, serviceForTests, uniqueProjectName } from '../support/engine.js';
import { projectFixture } from '../support/fixtures.js';

const PROJECT = uniqueProjectName('events');

/** Forwards a unix socket to the engine's; `cut()` drops every open connection. */
async function engineProxy(path: string): Promise<{ server: Server; cut(): void }> {
  const address = engineAddressFromEnv(process.env);
  const target = 'socketPath' in address ? address.socketPath : DEFAULT_SOCKET;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { server, cut: () => open.forEach((s) => s.destroy()) };
}

function collect(runtime: DockerRuntime, signal: AbortSignal): { seen: RuntimeEvent[]; done: Promise<void> } {
  const seen: RuntimeEvent[] = [];
  const done = (async () => {
    for await (const event of runtime.events(signal)) seen.push(event);
  })();
  return { seen, done };
}

describeWithEngine('Docker event stream', () => {
  afterAll(() => cleanupProject(PROJECT));

  it('reports the drop, reconnects and keeps delivering events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'composed-proxy-'));
    const proxy = await engineProxy(join(dir, 'docker.sock'));
    const runtime = DockerRuntime.fromEnv({ DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` });
    const controller = new AbortController();
    const { seen, done } = collect(runtime, controller.signal);
    try {
      // Other tests' managed containers show up too; only the connection events matter here.
      const connection = () => seen.filter((e) => e.kind !== 'container').map((e) => e.kind);
      await eventually(() => expect(connection()).toEqual(['connected']));
      proxy.cut();
      await eventually(() => expect(connection()).toEqual(['connected', 'disconnected', 'connected']));

      const svc = serviceForTests('after', { command: ['true'] });
      const project = projectFixture(PROJECT, [svc]);
      await runtime.ensureNetwork(project, 'default', project.networks['default']!);
      const id = await runtime.createReplica({ project, service: svc, number: 1, name: replicaName(PROJECT, 'after', 1), configHash: 'h' });
      await runtime.startContainer(id);
      await eventually(() =>
        expect(seen.filter((e) => e.kind === 'container' && e.id === id).map((e) => (e.kind === 'container' ? e.action : ''))).toEqual([
          'create',
          'start',
          'die',
        ]),
      );
    } finally {
      controller.abort();
      await done;
      proxy.server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('retries an unreachable engine with growing delays until aborted', async () => {
    const runtime = DockerRuntime.fromEnv({ DOCKER_HOST: 'unix:///nonexistent/composed-test.sock' });
    const controller = new AbortController();
    const times: number[] = [];
    const seen: RuntimeEvent[] = [];
    const done = (async () => {
      for await (const event of runtime.events(controller.signal)) {
        seen.push(event);
        times.push(performance.now());
      }
    })();
    // 100 + 200 + 400 ms of backoff between the first four attempts.
    await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(4), { timeoutMs: 5_000 });
    controller.abort();
    await done;
    expect(seen.every((e) => e.kind === 'disconnected' && /ENOENT|nonexistent/.test(e.error))).toBe(true);
    const gaps = times.slice(1, 4).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThanOrEqual(390);
  });
});
