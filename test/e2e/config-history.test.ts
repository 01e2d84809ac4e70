// Config history and the way back, as an operator uses them: an edit changes web's environment,
// `history` lists both revisions with the changed key, `rollback` runs the previous environment
// again and keeps it (status says pinned) until the file changes.
import { writeFile } from 'node:fs/promises';
import { beforeAll, expect, it } from 'vitest';
import type { HistoryReport } from '../../src/protocol/history.js';
import { type DaemonHandle, serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, dockerForTests, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const docker = dockerForTests();

function compose(project: string, greeting: string): string {
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    environment: { GREETING: ${greeting} }
    stop_grace_period: 1s
    deploy: { replicas: 2 }
`;
}

/** What every running replica of web has as GREETING, read from the engine. */
async function greetings(daemon: DaemonHandle, project: string): Promise<string[]> {
  const web = await serviceStatus(daemon, project, 'web');
  return Promise.all(
    web.replicas.map(async (r) => {
      // Mid-replacement a replica has no container. Asked for container '', the engine answers 301
      // to /containers/json and dockerode's redirect to host "containers" throws ENOTFOUND uncaught,
      // outside the promise (tried: node, dockerode 4, dockerd 20.10).
      expect(r.containerId, `replica ${r.number} has a container`).toBeTruthy();
      const env = (await docker.getContainer(r.containerId!).inspect()).Config.Env ?? [];
      return env.find((e) => e.startsWith('GREETING='))?.slice('GREETING='.length) ?? '';
    }),
  );
}

async function settledOn(daemon: DaemonHandle, project: string, greeting: string): Promise<void> {
  await eventually(
    async () => {
      const web = await serviceStatus(daemon, project, 'web');
      expect(web.replicas.map((r) => r.phase)).toEqual(['running', 'running']);
      expect(await greetings(daemon, project)).toEqual([greeting, greeting]);
    },
    { timeoutMs: 60_000 },
  );
}

describeWithEngine('config history and rollback', () => {
  const project = uniqueProjectName('history');
  const daemon = useDaemon(project);
  let dir: string;
  let file: string;

  beforeAll(async () => {
    ({ dir, file } = await writeProject(compose(project, 'one')));
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    await settledOn(daemon, project, 'one');
  });

  it('an edit of the environment, then rollback, runs the previous environment again, pinned until the file changes', async () => {
    await writeFile(file, compose(project, 'two'));
    await settledOn(daemon, project, 'two');

    const history = await daemon.cli(['history', 'web'], { cwd: dir });
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^ 1 .* up .* -$/m);
    expect(history.stdout).toMatch(/^\*2 .* file-edit .* environment\.GREETING$/m);

    const rollback = await daemon.cli(['rollback', 'web'], { cwd: dir });
    expect(rollback.stderr).toBe('');
    expect(rollback.stdout).toBe('web rolling back to revision 1 (changes environment.GREETING); pinned there until the file changes\n');
    expect(rollback.code).toBe(0);
    await settledOn(daemon, project, 'one');

    const report = JSON.parse((await daemon.cli(['history', '--json', 'web'], { cwd: dir })).stdout) as HistoryReport;
    expect(report.revisions.map((r) => [r.revision, r.why, r.rolledBackTo, r.changed, r.current])).toEqual([
      [1, 'up', undefined, [], false],
      [2, 'file-edit', undefined, ['environment.GREETING'], false],
      [3, 'rollback', 1, ['environment.GREETING'], true],
    ]);
    expect(report.revisions[0]?.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.revisions[0]?.files[0]?.sha256).not.toBe(report.revisions[1]?.files[0]?.sha256);
    expect(report.pinned?.revision).toBe(1);

    const web = await serviceStatus(daemon, project, 'web');
    expect(web.pinned).toMatchObject({ revision: 1, reason: 'rolled back to revision 1 by a user' });
    expect((await daemon.cli(['status'], { cwd: dir })).stdout).toContain('pinned to revision 1');

    // The file still says GREETING=two: an `up` of it keeps the pinned revision.
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    expect((await serviceStatus(daemon, project, 'web')).pinned?.revision).toBe(1);
    expect(await greetings(daemon, project)).toEqual(['one', 'one']);

    // An edit lifts the pin: the file's new config rolls out.
    await writeFile(file, compose(project, 'three'));
    await settledOn(daemon, project, 'three');
    expect((await serviceStatus(daemon, project, 'web')).pinned).toBeUndefined();
    expect((await daemon.cli(['history', 'web'], { cwd: dir })).stdout).toMatch(/^\*4 .* file-edit .* environment\.GREETING$/m);
  });

  it('rollback --to a revision that is not kept says which are', async () => {
    const result = await daemon.cli(['rollback', '--to', '9', 'web'], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot roll web back: revision 9 is not kept (kept: 1, 2, 3, 4)');
  });
});
