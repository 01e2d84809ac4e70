// A failure retrying cannot fix is reported and waited out, not retried every few seconds forever:
// here a replica's image is deleted from the engine after `up` (no registry is reachable to pull it
// from), then the replica crashes. `composed restart` after the image is back brings it up.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/protocol/api.js';
import { serviceStatus, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const run = promisify(execFile);
const docker = async (...args: string[]) => (await run('docker', args)).stdout.trim();

/** Syncs the daemon has run so far (its reconcile histogram's count). */
async function syncCount(metrics: () => AsyncIterable<string>): Promise<number> {
  let text = '';
  for await (const chunk of metrics()) text += chunk;
  return Number(/^composed_reconcile_duration_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
}

describeWithEngine('a replica whose image cannot be had any more', () => {
  const project = uniqueProjectName('terminal');
  const image = `composed-test-gone-${randomBytes(3).toString('hex')}:latest`;
  const daemon = useDaemon(project);
  afterAll(() => docker('rmi', image).catch(() => undefined));

  it('shows the failure in status, is not retried while nothing changes, and comes back on restart', async () => {
    await docker('tag', TEST_IMAGE, image);
    const { dir } = await writeProject(`
name: ${project}
services:
  app:
    image: ${image}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    stop_grace_period: 1s
    deploy: { restart_policy: { delay: 0s } }
`);
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
    await docker('rmi', image);
    await docker('kill', `${project}-app-1`);

    const failed = await eventually(async () => {
      const status = await serviceStatus(daemon, project, 'app');
      expect(status.message).toMatch(new RegExp(`image ${image} is not present and could not be pulled or built.*waiting for a change`));
      return status;
    });
    expect(failed).toMatchObject({ phase: 'failed', ready: 0 });
    const attempts = () => daemon.log().split('\n').filter((line) => line.includes('app#1 (')).length;
    const attemptsThen = attempts();
    // Resyncs (every 2 s here) and engine events come and go; none of them tries again.
    const syncsThen = await syncCount(() => daemon.client.stream('/metrics'));
    await eventually(async () => expect(await syncCount(() => daemon.client.stream('/metrics'))).toBeGreaterThanOrEqual(syncsThen + 3), { timeoutMs: 20_000 });
    expect(attempts()).toBe(attemptsThen);
    const events: DaemonEvent[] = [];
    for await (const e of daemon.client.lines<DaemonEvent>(`/v1/events?project=${project}&since=0`)) events.push(e);
    expect(events.filter((e) => e.type === 'operation-failed' && e.message.includes('not retried until'))).toHaveLength(1);

    await docker('tag', TEST_IMAGE, image);
    const restart = await daemon.cli(['restart', '-p', project, 'app']);
    expect(restart.code, restart.stderr).toBe(0);
    await eventually(async () => expect(await serviceStatus(daemon, project, 'app')).toMatchObject({ phase: 'running', ready: 1 }));
  });
});
