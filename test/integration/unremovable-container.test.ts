// A replica whose old container the engine cannot remove is running again under its own name at
// once; the old one is moved aside, shown as a warning, removed in the background once the engine
// lets it, and `down` finishes while it cannot be.
//
// The engine's failure is real, not simulated: a file in the container's upper layer made immutable
// (`chattr +i`) makes every removal fail the way a held mount did after a dockerd SIGKILL (Docker
// 20.10, overlay2): `driver "overlay2" failed to remove root filesystem: unlinkat …: operation not
// permitted`, the container left `removing`, then `dead`, while `docker rename` of it still works.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import { LABEL_PROJECT } from '../../src/daemon/core/labels.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args)).stdout.trim();
}

/** name -> {id, state} of every container of the project. */
async function containers(project: string): Promise<Map<string, { id: string; state: string }>> {
  const out = await docker('ps', '-a', '--no-trunc', '--filter', `label=${LABEL_PROJECT}=${project}`, '--format', '{{.Names}} {{.ID}} {{.State}}');
  return new Map(out.split('\n').filter(Boolean).map((line) => {
    const [name, id, state] = line.split(' ');
    return [name!, { id: id!, state: state! }];
  }));
}

const pinned = new Set<string>();

/** Makes the container's /pinned immutable in its upper layer: from now on the engine cannot remove it. */
async function pin(containerId: string): Promise<void> {
  const upper = await docker('inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', containerId);
  const file = `${upper}/pinned`;
  await run('chattr', ['+i', file]);
  pinned.add(file);
}

async function unpinAll(): Promise<void> {
  for (const file of pinned) await run('chattr', ['-i', file]).catch(() => undefined);
  pinned.clear();
}

/** Whether this host's Docker storage keeps immutable flags (ext4, xfs and btrfs do). */
async function immutableFlagsWork(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    const root = await docker('info', '-f', '{{.DockerRootDir}}');
    await run('lsattr', ['-d', root]);
    return true;
  } catch {
    return false;
  }
}

const describeIfPinnable = (await immutableFlagsWork()) ? describeWithEngine : describe.skip;

describeIfPinnable('a replica whose old container the engine cannot remove', () => {
  const project = uniqueProjectName('stuck');
  const daemon = useDaemon(project);
  afterAll(async () => {
    await unpinAll();
    await cleanupProject(project);
  });
  const replica = `${project}-app-1`;

  it('runs again under its own name while the old container is moved aside and shown as a warning', async () => {
    const { dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "echo x > /pinned; trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    stop_grace_period: 1s
    deploy: { restart_policy: { delay: 0s } }
`);
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    const first = (await containers(project)).get(replica)!;
    await eventually(() => docker('exec', first.id, 'cat', '/pinned'));
    await pin(first.id);
    await docker('kill', first.id);

    const moved = await eventually(async () => {
      const now = await containers(project);
      const successor = now.get(replica);
      expect(successor?.id).not.toBe(first.id);
      expect(successor?.state).toBe('running');
      const aside = [...now].find(([, c]) => c.id === first.id);
      expect(aside?.[0]).toMatch(new RegExp(`^${replica}-dead-\\d+$`));
      return aside![0];
    });
    const status = await serviceStatus(daemon, project, 'app');
    expect(status).toMatchObject({ phase: 'running', ready: 1, desired: 1 });
    expect(status.replicas).toHaveLength(1);
    expect(status.warnings?.join('\n')).toMatch(new RegExp(`old container ${moved} cannot be removed .*operation not permitted`));

    // Retried in the background: the count of tries grows.
    await eventually(async () => expect((await serviceStatus(daemon, project, 'app')).warnings?.join('\n')).toMatch(/\((?:[2-9]|\d\d+) tries/), { timeoutMs: 20_000 });
    const events: DaemonEvent[] = [];
    for await (const e of daemon.client.lines<DaemonEvent>(`/v1/events?project=${project}&since=0`)) events.push(e);
    expect(events.some((e) => e.type === 'operation-failed' && e.message.includes(`moved it aside as ${moved}`))).toBe(true);
  });

  it('removes the old container once the engine lets it, and the warning goes', async () => {
    await unpinAll();
    await eventually(async () => {
      expect([...(await containers(project)).keys()]).toEqual([replica]);
      expect((await serviceStatus(daemon, project, 'app')).warnings).toBeUndefined();
    }, { timeoutMs: 20_000 });
  });

  it('lets down finish, saying which container it had to leave', async () => {
    const current = (await containers(project)).get(replica)!;
    await eventually(() => docker('exec', current.id, 'cat', '/pinned'));
    await pin(current.id);
    const down = await daemon.cli(['down', '-p', project]);
    expect(down.code, down.stderr).toBe(0);
    expect(`${down.stdout}\n${down.stderr}`).toMatch(/could not be removed, left in place/);
    const list = await daemon.cli(['status', '-p', project]);
    expect(list.code).not.toBe(0);
    expect([...(await containers(project)).values()].map((c) => c.id)).toEqual([current.id]);
  });
});
