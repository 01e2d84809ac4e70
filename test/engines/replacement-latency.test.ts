// A replica that exits by itself is replaced within 2 s on every engine, seen through the event
// stream alone: the daemon's periodic resync is set far out (60 s) so it cannot be what notices.
// Podman 4.3.1 sent nothing to a stream filtered with event=die, and replacements waited for the
// 30 s resync (13.7 s and 20.6 s measured) before the stream asked only for type=container.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectSelector } from '../../src/daemon/core/labels.js';
import { DaemonHandle, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, runtimeForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { engineKind } from './engine-kind.js';

const runtime = runtimeForTests();
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const BOUND_MS = 2_000;

describeWithEngine('a replica that exits by itself', () => {
  const project = uniqueProjectName('latency');
  const daemon = new DaemonHandle(mkdtempSync(join(tmpdir(), 'composed-test-')));
  beforeAll(() => daemon.start(['--resync-interval', '60s']));
  afterAll(async () => {
    await daemon.stop();
    await cleanupProject(project);
  });

  it(`is replaced within ${BOUND_MS} ms, three times in a row`, async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "while [ ! -f /tmp/go ]; do sleep 0.05; done; exit 3"]
    stop_grace_period: 1s
    deploy:
      restart_policy: { delay: 0s }
`);
    expect((await daemon.cli(['up', '--wait', '--wait-timeout', '60s'], { cwd: dir })).code).toBe(0);
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      const [old] = await runtime.listContainers(projectSelector(project));
      expect(old?.state).toBe('running');
      docker('exec', old!.id, 'touch', '/tmp/go');
      const exitedBy = Date.now();
      const next = await eventually(
        async () => {
          const [c] = await runtime.listContainers(projectSelector(project));
          expect(c && c.id !== old!.id && c.state === 'running').toBe(true);
          return c!;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      const startedAt = (await runtime.inspectContainer(next.id))?.startedAt ?? 0;
      latencies.push(startedAt - exitedBy);
    }
    console.log(`${await engineKind()}: replaced after ${latencies.join(', ')} ms`);
    for (const latency of latencies) expect(latency).toBeLessThan(BOUND_MS);
  });
});
