// Autoscaling end to end: CPU-burning replicas scale up, come back down after the window, and an
// alternating load does not flap the count.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import type { ProjectStatus, ServiceStatus } from '../../src/protocol/api.js';
import { DaemonHandle, useDaemon, writeProject } from '../support/daemon.js';
import { describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

async function burner(daemon: DaemonHandle, project: string): Promise<ServiceStatus> {
  const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
  return status.services.find((s) => s.name === 'burner')!;
}

/** Burns a full core (capped at 0.2 by the limit) while /control/burn exists. */
const BURN_WHILE_FILE = `while true; do if [ -f /control/burn ]; then timeout 1 sh -c 'while :; do :; done'; else sleep 0.2; fi; done`;
/** Burns 2 s, rests 2 s, forever. */
const BURN_ALTERNATING = `while true; do timeout 2 sh -c 'while :; do :; done'; sleep 2; done`;

function composeFile(project: string, command: string, scaleDownWindow: string): string {
  return `
name: ${project}
services:
  burner:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "${command}"]
    stop_grace_period: 0s
    volumes: [control:/control]
    deploy: { replicas: 1, resources: { limits: { cpus: "0.2" } } }
    x-composed:
      autoscale:
        min: 1
        max: 4
        cpu: { target: 50 }
        interval: 1s
        scale_down_stabilization: ${scaleDownWindow}
volumes:
  control: {}
`;
}

describeWithEngine('autoscale: CPU load scales a service between its bounds', () => {
  const project = uniqueProjectName('scale');
  const daemon = useDaemon(project);

  it('scales 1 -> at least 3 within 20 s of load, then back to min after the window and not before', async () => {
    const { dir } = await writeProject(composeFile(project, BURN_WHILE_FILE, '8s'));
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    const loadStart = Date.now();
    docker('exec', `${project}-burner-1`, 'touch', '/control/burn');
    const up = await eventually(
      async () => {
        const s = await burner(daemon, project);
        expect(s.running).toBeGreaterThanOrEqual(3);
        return s;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(Date.now() - loadStart).toBeLessThan(20_000);
    expect(up.autoscale?.lastDecision?.reason).toMatch(/cpu/);
    const replicaIds = up.replicas.map((r) => r.containerId);

    const loadStop = Date.now();
    docker('exec', `${project}-burner-1`, 'rm', '/control/burn');
    const peak = up.desired;
    let firstDrop: number | undefined;
    await eventually(
      async () => {
        const s = await burner(daemon, project);
        if (firstDrop === undefined && s.desired < peak) firstDrop = Date.now();
        expect(s.desired).toBe(1);
        expect(s.running).toBe(1);
      },
      { timeoutMs: 45_000, intervalMs: 200 },
    );
    // The last high recommendation can predate the stop by one interval (1 s): 8 s - 1 s.
    expect(firstDrop! - loadStop).toBeGreaterThanOrEqual(7_000);
    // Scaling never recreated the replica that stayed.
    expect((await burner(daemon, project)).replicas[0]?.containerId).toBe(replicaIds[0]);
    const events = await daemon.cli(['events', '--no-follow', '-p', project, '--json']);
    expect(events.stdout).toMatch(/"type":"scaled"/);
  });
});

describeWithEngine('autoscale: an alternating load does not flap', () => {
  const project = uniqueProjectName('flap');
  const daemon = useDaemon(project);

  it('with a 10 s scale-down window, a load alternating every 2 s never lowers the count', async () => {
    const { dir } = await writeProject(composeFile(project, BURN_ALTERNATING, '10s'));
    expect((await daemon.cli(['up', '--wait'], { cwd: dir })).code).toBe(0);
    await eventually(async () => expect((await burner(daemon, project)).desired).toBeGreaterThan(1), { timeoutMs: 20_000, intervalMs: 250 });
    const counts: number[] = [];
    const until = Date.now() + 16_000;
    while (Date.now() < until) {
      counts.push((await burner(daemon, project)).desired);
      await new Promise((r) => setTimeout(r, 250));
    }
    const decreases = counts.filter((c, i) => i > 0 && c < counts[i - 1]!);
    expect(decreases, `counts seen: ${counts.join(',')}`).toEqual([]);
  });
});
