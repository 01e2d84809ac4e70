// `up SERVICE...` as compose does it: the named services and their dependencies start, the file's
// others are left as they are (not started when new), --no-deps starts only what is named, and a
// service the file does not have is refused before anything is created.
import { beforeAll, expect, it } from 'vitest';
import { ApiError } from '../../src/cli/client.js';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { projectStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('up SERVICE...: only the named services and their dependencies', () => {
  const project = uniqueProjectName('upsvc');
  const daemon = useDaemon(project);
  let dir: string;
  let file: string;
  const state = async (): Promise<Record<string, { running: number; stopped: boolean; ids: string[] }>> =>
    Object.fromEntries(
      (await projectStatus(daemon, project)).services.map((s) => [s.name, { running: s.running, stopped: s.phase === 'stopped', ids: s.replicas.map((r) => r.containerId ?? '') }]),
    );

  beforeAll(async () => {
    const loop = `command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]`;
    ({ dir, file } = await writeProject(`
services:
  db:
    image: ${TEST_IMAGE}
    ${loop}
  web:
    image: ${TEST_IMAGE}
    depends_on: [db]
    ${loop}
  worker:
    image: ${TEST_IMAGE}
    depends_on: [db]
    ${loop}
`));
  });

  it('up -d web starts web and db; worker is not started and says so', async () => {
    const up = await daemon.cli(['-f', file, '-p', project, 'up', '-d', 'web'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => {
      const s = await state();
      expect(s['db']?.running).toBe(1);
      expect(s['web']?.running).toBe(1);
      expect(s['worker']).toMatchObject({ running: 0, stopped: true });
      expect(s['worker']?.ids.filter(Boolean)).toEqual([]);
    });
  });

  it('up -d --no-deps worker starts worker alone and leaves the running services untouched', async () => {
    const before = await state();
    const up = await daemon.cli(['-f', file, '-p', project, 'up', '-d', '--no-deps', 'worker'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    await eventually(async () => expect((await state())['worker']).toMatchObject({ running: 1, stopped: false }));
    const after = await state();
    expect(after['db']?.ids).toEqual(before['db']?.ids);
    expect(after['web']?.ids).toEqual(before['web']?.ids);
  });

  it('a service the file does not have is refused by the daemon, naming the request field', async () => {
    const request = { files: [file], projectName: project, cwd: dir, env: {}, profiles: [], services: ['web', 'nosuch'] };
    const refused = await (async () => {
      for await (const _ of daemon.client.lines('/v1/projects', { method: 'POST', body: request })) void _;
    })().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(422);
    expect((refused as ApiError).body.field).toBe('services[1]');
    const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
    expect(status.services.map((s) => s.name).sort()).toEqual(['db', 'web', 'worker']);
  });
});
