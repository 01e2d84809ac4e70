// CPU time of a busy container from its cgroup file where this host shows it, and from the stats
// API when it does not (forced here with cgroup and proc roots that hold nothing).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replicaName } from '../../src/daemon/core/labels.js';
import { CpuSampler } from '../../src/daemon/docker/cpu.js';
import { eventually } from '../support/eventually.js';
import { cleanupProject, describeWithEngine, dockerForTests, runtimeForTests, serviceForTests, uniqueProjectName } from '../support/engine.js';
import { projectFixture } from '../support/fixtures.js';

const runtime = runtimeForTests();
const docker = dockerForTests();
const PROJECT = uniqueProjectName('cpu');

describeWithEngine('CPU samples on this engine', () => {
  let id = '';

  beforeAll(async () => {
    await cleanupProject(PROJECT);
    const busy = serviceForTests('busy', { command: ['sh', '-c', 'while :; do :; done'] });
    const project = projectFixture(PROJECT, [busy]);
    for (const [key, network] of Object.entries(project.networks)) await runtime.ensureNetwork(project, key, network);
    id = await runtime.createReplica({ project, service: busy, number: 1, name: replicaName(PROJECT, 'busy', 1), configHash: 'h' });
    await runtime.startContainer(id);
  });
  afterAll(() => cleanupProject(PROJECT));

  async function growingSamples(sampler: CpuSampler): Promise<void> {
    const first = await sampler.sample(id);
    expect(first?.cpuNanos).toBeGreaterThan(0);
    await eventually(async () => expect((await sampler.sample(id))?.cpuNanos).toBeGreaterThan(first!.cpuNanos + 10_000_000));
  }

  it('reads the cgroup file this host shows', async () => {
    const sampler = new CpuSampler(docker);
    await growingSamples(sampler);
    expect(sampler.sourceOf(id)).toBe('cgroup');
  });

  it('falls back to the stats API when no cgroup file is visible', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'composed-no-cgroup-'));
    const sampler = new CpuSampler(docker, { cgroup: join(empty, 'cgroup'), proc: join(empty, 'proc') });
    await growingSamples(sampler);
    expect(sampler.sourceOf(id)).toBe('stats-api');
  });
});
