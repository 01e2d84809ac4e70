// The engine restarts while the daemon runs. Here dockerd runs without live-restore, so stopping it
// takes every container down with it: SIGTERM makes dockerd stop them; after a SIGKILL the
// containers outlive it in their shims, one of them is killed meanwhile, and the restarted dockerd
// kills the rest as it starts. Either way replicas die while no event stream can say so. Then
// dockerd is started again exactly as scripts/setup-engine.sh does. Expected: `status` keeps
// answering and says `engine: unreachable` meanwhile; the event stream reconnects; the daemon
// resyncs and replaces every dead replica with its volumes.
//
// This disrupts every other test using the engine: it waits until no other vitest run is going.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { DaemonHandle, newDaemon, REPO_ROOT, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { checkReplicas, docker, MarkerBook, sleep, waitForQuietEngine } from './support/engine.js';
import { Tally, trialsFor } from './support/results.js';

const run = promisify(execFile);
const SERVICE = 'app';
const REPLICAS = 4;
const TRIALS = trialsFor(4, 2);
/**
 * How dockerd is stopped: alternating SIGTERM and SIGKILL by default; FAULTS_ENGINE_STOP=kill or
 * term makes every trial one kind (FAULTS_TRIALS=20 FAULTS_ENGINE_STOP=kill for 20 SIGKILLs).
 */
const STOP = process.env['FAULTS_ENGINE_STOP'] ?? 'alternate';
/** How long the engine stays down. */
const DOWN_MS = 3_000;

async function dockerdPid(): Promise<number | undefined> {
  const { stdout } = await run('pgrep', ['-x', 'dockerd']).catch(() => ({ stdout: '' }));
  const pid = Number(stdout.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  throw new Error(`dockerd ${pid} still running after ${timeoutMs} ms`);
}

async function reconnectCount(daemon: DaemonHandle): Promise<number> {
  let text = '';
  for await (const chunk of daemon.client.stream('/metrics')) text += chunk;
  return Number(/^composed_event_stream_reconnects_total (\d+)/m.exec(text)?.[1] ?? 0);
}

async function startEngine(): Promise<void> {
  await run('bash', [join(REPO_ROOT, 'scripts/setup-engine.sh')], { timeout: 120_000 });
}

describeWithEngine('fault: the engine restarts under the daemon', () => {
  const project = uniqueProjectName('engine');
  const tally = new Tally(`engine restart (dockerd stopped ${DOWN_MS / 1000} s, replicas die meanwhile)`);
  const markers = new MarkerBook(project, SERVICE);
  let daemon: DaemonHandle;
  let quiet = false;

  beforeAll(async () => {
    quiet = await waitForQuietEngine(15 * 60_000, (m) => tally.note(m));
    if (!quiet) return;
    daemon = await newDaemon();
    await daemon.start();
    const { dir } = await writeProject(`
name: ${project}
services:
  ${SERVICE}:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    stop_grace_period: 1s
    volumes: [shared:/shared, /data]
    deploy: { replicas: ${REPLICAS}, restart_policy: { delay: 0s } }
volumes:
  shared: {}
`);
    const up = await daemon.cli(['up', '--wait'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    tally.record();
    if (!(await dockerdPid())) await startEngine();
    await daemon?.stop();
    await cleanupProject(project);
  });

  it(`recovers from ${TRIALS} engine restarts`, async (ctx) => {
    if (!quiet) {
      tally.skipped = 'skipped: other test runs kept using the engine for 15 minutes';
      tally.note(tally.skipped);
      ctx.skip();
    }
    const failures: string[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const hard = STOP === 'kill' || (STOP !== 'term' && trial % 2 === 0);
      await eventually(async () => expect((await checkReplicas(project, SERVICE, REPLICAS)).problems).toEqual([]), { timeoutMs: 60_000 });
      await markers.write(REPLICAS, `e${trial}`);
      const before = new Map((await checkReplicas(project, SERVICE, REPLICAS)).replicas.map((r) => [r.number, r.id]));
      const victimPid = Number(await docker('inspect', '--format', '{{.State.Pid}}', `${project}-${SERVICE}-1`));
      const reconnectsBefore = await reconnectCount(daemon);

      // Poll status all along: it must answer (quickly) and say unreachable while the engine is down.
      const seen = { unreachable: 0, failures: [] as string[], slowestMs: 0, polls: 0 };
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const started = Date.now();
          try {
            const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`, { signal: AbortSignal.timeout(3_000) });
            if (status.engine === 'unreachable') seen.unreachable++;
          } catch (error) {
            seen.failures.push(error instanceof Error ? error.message : String(error));
          }
          seen.slowestMs = Math.max(seen.slowestMs, Date.now() - started);
          seen.polls++;
          await sleep(200);
        }
      })();

      const pid = await dockerdPid();
      if (!pid) throw new Error('no dockerd to stop');
      const downAt = Date.now();
      if (hard) {
        // SIGKILL: containers outlive dockerd in their shims; one dies while the engine is down.
        process.kill(pid, 'SIGKILL');
        await waitGone(pid, 10_000);
        if (victimPid > 0) process.kill(victimPid, 'SIGKILL');
      } else {
        // SIGTERM: dockerd stops every container (no live-restore) and exits.
        process.kill(pid, 'SIGTERM');
        await waitGone(pid, 60_000);
      }
      tally.faults += hard ? 2 : 1;
      await sleep(Math.max(0, DOWN_MS - (Date.now() - downAt)));
      await startEngine();
      const downMs = Date.now() - downAt;
      tally.trials++;

      const problems: string[] = [];
      const after = await eventually(
        async () => {
          const check = await checkReplicas(project, SERVICE, REPLICAS);
          if (check.problems.length > 0) throw new Error(check.problems.join('; '));
          return check;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      ).catch((error: unknown) => {
        problems.push(error instanceof Error ? error.message : String(error));
        return undefined;
      });
      polling = false;
      await poller;
      if (seen.unreachable === 0) problems.push(`status never said engine unreachable (${seen.polls} polls)`);
      if (seen.failures.length > 0) problems.push(`status failed ${seen.failures.length} times: ${seen.failures[0]}`);
      const replaced = after ? after.replicas.filter((r) => before.get(r.number) !== r.id).length : 0;
      if (after && replaced === 0) problems.push('no replica was replaced: did any die?');
      const lost = after ? await markers.missing(REPLICAS) : [];
      tally.dataLost += lost.length;
      tally.duplicates += after?.duplicates ?? 0;
      problems.push(...lost);
      // The resync can replace the replicas before the stream's next connect attempt (at most 1 s apart).
      const reconnects = await eventually(
        async () => {
          const n = (await reconnectCount(daemon)) - reconnectsBefore;
          if (n < 1) throw new Error('no reconnect yet');
          return n;
        },
        { timeoutMs: 5_000 },
      ).catch(() => 0);
      if (reconnects < 1) problems.push('the event stream did not reconnect within 5 s of the replacements (composed_event_stream_reconnects_total unchanged)');
      const stuck = after && after.stuck.length > 0 ? `, ${after.stuck.length} old containers the engine could not remove moved aside (${after.stuck.map((c) => c.name).join(', ')})` : '';
      const line = `trial ${trial} (${hard ? 'SIGKILL dockerd + a container killed' : 'SIGTERM dockerd'}): engine down ${downMs} ms, status ${seen.polls} polls, ${seen.unreachable} unreachable, slowest ${seen.slowestMs} ms, ${replaced}/${REPLICAS} replicas replaced, event stream reconnects ${reconnects}${stuck}`;
      console.log(`[engine] ${line} -> ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
      tally.note(line);
      if (problems.length === 0) tally.survived++;
      else failures.push(`trial ${trial}: ${problems.join('; ')}`);
    }
    for (const f of failures) tally.note(f);
    expect(failures).toEqual([]);
  });
});
