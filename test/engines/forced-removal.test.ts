// A forced removal kills at once on every engine: Podman 4.3.1's own force=true first stops with
// the container's StopTimeout (10.3 s measured with 10 s), where Docker sends SIGKILL.
import { afterAll, expect, it } from 'vitest';
import { replicaName } from '../../src/daemon/core/labels.js';
import { cleanupProject, describeWithEngine, runtimeForTests, serviceForTests, uniqueProjectName } from '../support/engine.js';
import { projectFixture } from '../support/fixtures.js';

const runtime = runtimeForTests();
const PROJECT = uniqueProjectName('force-rm');

describeWithEngine('forced removal', () => {
  afterAll(() => cleanupProject(PROJECT));

  it('removes a running replica whose process ignores SIGTERM well within its 10 s grace period, and a never-started one', async () => {
    // pid 1 `sleep` ignores SIGTERM: only SIGKILL ends it.
    const svc = serviceForTests('stubborn', { command: ['sleep', '1000'], stopGracePeriodMs: 10_000 });
    const project = projectFixture(PROJECT, [svc]);
    for (const [key, network] of Object.entries(project.networks)) await runtime.ensureNetwork(project, key, network);
    const create = (n: number) => runtime.createReplica({ project, service: svc, number: n, name: replicaName(PROJECT, 'stubborn', n), configHash: 'h' });
    const running = await create(1);
    await runtime.startContainer(running);
    const never = await create(2);

    const started = performance.now();
    await runtime.removeContainer(running, { force: true });
    const tookMs = performance.now() - started;
    await runtime.removeContainer(never, { force: true });

    expect(tookMs).toBeLessThan(3_000);
    expect(await runtime.inspectContainer(running)).toBeUndefined();
    expect(await runtime.inspectContainer(never)).toBeUndefined();
  });
});
