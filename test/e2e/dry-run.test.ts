// `up --dry-run` and `diff`: the plan an edit would execute, printed, with nothing touched.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { PreviewResponse } from '../../src/protocol/preview.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

function compose(project: string, greeting: string, extra = ''): string {
  return `
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    environment: { GREETING: ${greeting} }
    stop_grace_period: 1s
    deploy: { replicas: 2 }
${extra}`;
}

describeWithEngine('up --dry-run and diff', () => {
  const project = uniqueProjectName('dryrun');
  const daemon = useDaemon(project);
  let dir: string;

  beforeAll(async () => {
    ({ dir } = await writeProject(compose(project, 'one')));
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.phase)).toEqual(['running', 'running']));
  });

  it('exits 0 and says so when nothing would change', async () => {
    const result = await daemon.cli(['up', '--dry-run'], { cwd: dir });
    expect(result.stdout).toBe(`project ${project}: nothing would change\nweb: unchanged\n`);
    expect(result.code).toBe(0);
    expect((await daemon.cli(['diff'], { cwd: dir })).code).toBe(0);
  });

  it('prints the plan of an edit and exits 1; the containers are the same after it', async () => {
    const before = (await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.containerId);
    // The edit goes to another file: the daemon watches compose.yaml and would roll it out itself.
    await writeFile(join(dir, 'next.yaml'), compose(project, 'two', `  cache:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    volumes: [data:/data]\nvolumes:\n  data: {}\n`));
    const result = await daemon.cli(['-f', 'next.yaml', 'up', '--dry-run'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        `project ${project}: would change`,
        `  ensure-volume ${project}_data (creating)`,
        'cache: new',
        '  create cache#1 (new service)',
        'web: changed: environment.GREETING',
        '  create-surge web#1 (config changed: environment.GREETING (roll-out, start-first))',
        '  promote web#1 (once ready; the old container drains 1000 ms, then stops)',
        '  create-surge web#2 (config changed: environment.GREETING (roll-out, start-first))',
        '  promote web#2 (once ready; the old container drains 1000 ms, then stops)',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
    const json = JSON.parse((await daemon.cli(['-f', 'next.yaml', 'diff', '--json'], { cwd: dir })).stdout) as PreviewResponse;
    expect(json.services.find((s) => s.service === 'web')?.changedKeys).toEqual(['environment.GREETING']);

    const status = await daemon.cli(['status', '--json'], { cwd: dir });
    expect(status.stdout).not.toContain('cache');
    expect((await serviceStatus(daemon, project, 'web')).replicas.map((r) => r.containerId)).toEqual(before);
  });

  it('a bad file is reported with its line and key, nothing touched', async () => {
    await writeFile(join(dir, 'bad.yaml'), compose(project, 'one').replace('replicas: 2', 'replicas: lots'));
    const result = await daemon.cli(['-f', 'bad.yaml', 'up', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+.*replicas/);
  });
});
