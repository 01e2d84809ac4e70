// A state file that is unreadable when the daemon starts: the project is rebuilt from its
// containers' labels and its compose files and supervised again without `up`; with the compose file
// gone or invalid too, the daemon starts, says why, and leaves the containers alone.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DaemonEvent, ProjectSummary } from '../../src/protocol/api.js';
import { LABEL_PROJECT } from '../../src/daemon/core/labels.js';
import { type DaemonHandle, serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);

function compose(project: string): string {
  return `
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    stop_grace_period: 1s
    deploy: { replicas: 2, restart_policy: { delay: 0s } }
`;
}

/** Running containers of the project, name -> id, straight from the engine. */
async function running(project: string): Promise<Record<string, string>> {
  const { stdout } = await run('docker', ['ps', '--filter', `label=${LABEL_PROJECT}=${project}`, '--format', '{{.Names}} {{.ID}}', '--no-trunc']);
  return Object.fromEntries(stdout.trim().split('\n').filter((l) => l !== '').map((l) => l.split(' ') as [string, string]));
}

async function events(daemon: DaemonHandle): Promise<DaemonEvent[]> {
  const out: DaemonEvent[] = [];
  for await (const e of daemon.client.lines<DaemonEvent>('/v1/events?since=0')) out.push(e);
  return out;
}

/** A project brought up by the daemon; the path of its state file. */
async function upProject(daemon: DaemonHandle, project: string): Promise<{ dir: string; file: string; stateFile: string }> {
  const written = await writeProject(compose(project));
  const up = await daemon.cli(['up', '--wait'], { cwd: written.dir });
  expect(up.code, up.stderr).toBe(0);
  return { ...written, stateFile: join(daemon.stateDir, 'projects', `${project}.json`) };
}

describeWithEngine('a state file unreadable at start', () => {
  describe('truncated, compose file in place', () => {
    const project = uniqueProjectName('recover');
    const daemon = useDaemon(project);

    it('supervises the project again by itself, keeping the running replicas and the scaled count', async () => {
      const { stateFile } = await upProject(daemon, project);
      // Scaled above the file's 2: recovery must keep the third replica, not remove it.
      const scaled = await daemon.cli(['scale', '-p', project, 'app=3']);
      expect(scaled.code, scaled.stderr).toBe(0);
      await eventually(async () => expect(Object.keys(await running(project))).toHaveLength(3));
      const before = await running(project);
      await daemon.stop();
      await truncate(stateFile, Math.floor((await readFile(stateFile, 'utf8')).length / 2));

      await daemon.start();
      const status = await serviceStatus(daemon, project, 'app');
      expect(status.desired).toBe(3);
      expect(Object.fromEntries(status.replicas.map((r) => [r.name, r.containerId]))).toEqual(before);
      const recovered = (await events(daemon)).find((e) => e.project === project && /recovered from container labels/.test(e.message));
      expect(recovered?.message).toMatch(/app kept at 3 replicas/);
      expect(recovered?.message).toMatch(/environment at `up` is lost/);
      // The corrupt file is kept aside and a good one written in its place.
      const files = await readdir(join(daemon.stateDir, 'projects'));
      expect(files.filter((f) => f.startsWith(`${project}.json.corrupt-`))).toHaveLength(1);
      expect((JSON.parse(await readFile(stateFile, 'utf8')) as { scale: Record<string, number> }).scale).toEqual({ app: 3 });

      // Supervised: a killed replica is replaced, the others keep their containers.
      await run('docker', ['kill', `${project}-app-2`]);
      await eventually(async () => {
        const now = await running(project);
        expect(Object.keys(now).sort()).toEqual(Object.keys(before).sort());
        expect(now[`${project}-app-2`]).not.toBe(before[`${project}-app-2`]);
        expect(now[`${project}-app-1`]).toBe(before[`${project}-app-1`]);
        expect(now[`${project}-app-3`]).toBe(before[`${project}-app-3`]);
      });
    });
  });

  for (const [kind, breakFile] of [
    ['deleted', (file: string) => rm(file)],
    ['invalid', (file: string) => writeFile(file, `services:\n  app:\n    image: ${TEST_IMAGE}\n    ports: 5\n`)],
  ] as const) {
    describe(`truncated, compose file ${kind} too`, () => {
      const project = uniqueProjectName(`norecover-${kind}`);
      const daemon = useDaemon(project);

      it('the daemon starts, reports the state file and the compose file, and stops no container', async () => {
        const { file, stateFile } = await upProject(daemon, project);
        const before = await running(project);
        await daemon.stop();
        await truncate(stateFile, 10);
        await breakFile(file);

        await daemon.start();
        const report = (await events(daemon)).find((e) => e.project === project && /not recovered from container labels/.test(e.message));
        expect(report?.message).toContain(stateFile);
        expect(report?.message).toContain(file);
        if (kind === 'invalid') expect(report?.message).toMatch(/compose\.yaml:4:\d+ services\.app\.ports/);
        expect(daemon.log()).toMatch(/project not recovered from container labels/);
        expect((await daemon.client.json<ProjectSummary[]>('/v1/projects')).map((p) => p.name)).not.toContain(project);
        expect(await running(project)).toEqual(before);
        // Left in place, so the next start reports it and tries again.
        expect((await readFile(stateFile)).length).toBe(10);
      });
    });
  }
});
