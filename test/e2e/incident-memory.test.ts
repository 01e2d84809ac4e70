// What the daemon remembers past a replacement and past its own kill -9: the journal of events
// (`events --since`), the output of the replaced container (`logs --previous`), and the incident
// timeline (`why`), as a user reads them at 3 a.m.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import type { WhyReport } from '../../src/protocol/memory.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

describeWithEngine('incident memory: a crash before a daemon kill -9 is still explained after it', () => {
  const project = uniqueProjectName('memory');
  const daemon = useDaemon(project);
  let dir: string;

  beforeAll(async () => {
    // The first container prints, then crashes; its replacement finds the marker in the volume and stays up.
    ({ dir } = await writeProject(`
name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "if [ ! -f /data/crashed ]; then touch /data/crashed; echo first life; echo about to crash; exit 3; fi; echo second life; exec sleep 3600"]
    volumes: [data:/data]
    deploy:
      restart_policy: { delay: 0s }
volumes:
  data: {}
`));
    expect((await daemon.cli(['up'], { cwd: dir })).code).toBe(0);
    await eventually(async () => {
      const web = await serviceStatus(daemon, project, 'web');
      expect(web.restarts).toBe(1);
      expect(web.replicas[0]?.phase).toBe('running');
    });
  });

  it('logs --previous prints what the replaced container printed; logs prints the new one', async () => {
    const previous = await daemon.cli(['logs', '--previous', 'web'], { cwd: dir });
    expect(previous.stderr).toMatch(/of web-1, replaced .* \(1 of 1 kept\)/);
    expect(previous.stdout).toBe('web-1 | first life\nweb-1 | about to crash\n');
    expect(previous.code).toBe(0);
    expect((await daemon.cli(['logs', '--previous=1', '--index', '1', '--no-log-prefix', 'web'], { cwd: dir })).stdout).toBe('first life\nabout to crash\n');

    const older = await daemon.cli(['logs', '--previous=2', 'web'], { cwd: dir });
    expect(older.code).toBe(1);
    expect(older.stderr).toContain('only 1 replaced container is kept for web');
    const current = await daemon.cli(['logs', '--no-log-prefix', 'web'], { cwd: dir });
    expect(current.stdout).toContain('second life');
  });

  it('after kill -9 and a restart, events --since 1h and why web still show the crash with its exit code and last lines', async () => {
    // The journal writes in batches: wait until the crash is on disk, as it is 100 ms after it.
    const journal = join(daemon.stateDir, 'journal', 'events.ndjson');
    await eventually(() => expect(existsSync(journal) && readFileSync(journal, 'utf8')).toContain('exited 3'));
    await daemon.kill9();
    await daemon.start();

    const events = await daemon.cli(['events', '-p', project, '--since', '1h', '--no-follow'], { cwd: dir });
    expect(events.code).toBe(0);
    expect(events.stdout).toMatch(new RegExp(`${project}/web#1 backoff: exited 3; restart 1 after 0 ms`));
    expect(events.stdout).toContain('project-up');

    // Following: the history from the journal, then live events, each once.
    const seen: DaemonEvent[] = [];
    const abort = new AbortController();
    const following = (async () => {
      for await (const e of daemon.client.lines<DaemonEvent>(`/v1/events?project=${project}&since=${Date.now() - 3_600_000}&follow=true`, { signal: abort.signal })) seen.push(e);
    })().catch(() => undefined);
    await eventually(() => expect(seen.some((e) => e.message.startsWith('exited 3'))).toBe(true));
    expect((await daemon.cli(['scale', 'web=1'], { cwd: dir })).code).toBe(0);
    await eventually(() => expect(seen.filter((e) => e.message === 'scaled to 1 by a user')).toHaveLength(1));
    abort.abort();
    await following;

    const why = await daemon.cli(['why', 'web'], { cwd: dir });
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/web-1:\n {2}\S+ {2}restart {3}exited 3; restart 1 after 0 ms\n {6}last lines:\n {6}\| first life\n {6}\| about to crash\n/);

    const json = JSON.parse((await daemon.cli(['why', '--json', 'web'], { cwd: dir })).stdout) as WhyReport;
    expect(json.replicas[0]?.incidents.find((i) => i.exitCode === 3)).toMatchObject({ kind: 'restart', lastLines: ['first life', 'about to crash'] });
  });

  it('bad input is named and changes nothing', async () => {
    const unknown = await daemon.cli(['why', 'nope'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no service "nope"');
    const twoServices = await daemon.cli(['logs', '--previous', 'web', 'other'], { cwd: dir });
    expect(twoServices.code).toBe(1);
    expect(twoServices.stderr).toContain('name exactly one service');
    const badSince = await daemon.cli(['events', '--since', '2x', '--no-follow'], { cwd: dir });
    expect(badSince.stderr).toContain('--since: "2x" is not a duration');
  });
});
