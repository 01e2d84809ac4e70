// kill -9 of the daemon at a random moment while it brings up 20 replicas, scales, rolls out (the
// compose file is edited; the daemon watches it) or replaces crashed replicas. After it starts
// again: exactly the desired replicas run, no replica number twice, no `-next` surge left over,
// and every marker written into the named and anonymous volumes before the fault is still there,
// and every event the journal had on disk before the kill is read back by /v1/events after it.
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProjectStatus } from '../../src/protocol/api.js';
import { DaemonHandle, newDaemon, writeProject } from '../support/daemon.js';
import { cleanupProject, describeWithEngine, TEST_IMAGE, uniqueProjectName } from '../support/engine.js';
import { eventually } from '../support/eventually.js';
import { checkReplicas, docker, FAULTS_SEED, MarkerBook, seededRandom, sleep } from './support/engine.js';
import { journalOnDisk, journalProblems } from './support/journal.js';
import { Tally, trialsFor } from './support/results.js';

const SERVICE = 'app';
const FULL = 20;
const SCALED = 12;
const TRIALS = trialsFor(24, 5); // reduced: each of the five actions once

type Action = 'bring-up' | 'scale' | 'rollout' | 'replace' | 'edit-while-down';
/** The longest random delay before the kill, per action: about as long as the action takes. */
const MAX_DELAY_MS: Record<Action, number> = { 'bring-up': 8_000, scale: 4_000, rollout: 15_000, replace: 3_000, 'edit-while-down': 0 };

function composeFile(project: string, generation: number): string {
  return `
name: ${project}
services:
  ${SERVICE}:
    image: ${TEST_IMAGE}
    restart: always
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.5; done"]
    environment: { GENERATION: "${generation}" }
    stop_grace_period: 2s
    volumes:
      - shared:/shared
      - /data
    deploy:
      replicas: ${FULL}
      restart_policy: { delay: 0s }
      update_config: { parallelism: 2, order: start-first }
volumes:
  shared: {}
`;
}

describeWithEngine('fault: kill -9 of the daemon', () => {
  const project = uniqueProjectName('kill9');
  const tally = new Tally(`kill -9 daemon (${FULL} replicas: up, scale, roll-out, replace)`);
  const random = seededRandom(FAULTS_SEED);
  const markers = new MarkerBook(project, SERVICE);
  let daemon: DaemonHandle;
  let dir: string;
  let file: string;
  let generation = 1;
  let desired = FULL;

  beforeAll(async () => {
    tally.note(`seed ${FAULTS_SEED} (FAULTS_SEED=${FAULTS_SEED} replays the delays)`);
    daemon = await newDaemon();
    await daemon.start();
    ({ dir, file } = await writeProject(composeFile(project, generation)));
    const up = await daemon.cli(['up', '--wait', '--wait-timeout', '3m'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    tally.record();
    await daemon.stop();
    await cleanupProject(project);
  });

  /** Waits until the daemon has settled on `desired` replicas of the current generation. */
  async function settled(timeoutMs = 120_000): Promise<{ problems: string[]; duplicates: number }> {
    let last: { problems: string[]; duplicates: number } = { problems: ['not checked'], duplicates: 0 };
    try {
      await eventually(
        async () => {
          last = await checkReplicas(project, SERVICE, desired);
          if (last.problems.length > 0) throw new Error(last.problems.join('; '));
          const status = await daemon.client.json<ProjectStatus>(`/v1/projects/${project}/status`);
          const service = status.services.find((s) => s.name === SERVICE);
          if (service?.rollout?.state === 'rolling-out') throw new Error('roll-out still in progress');
          const env = await docker('inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', `${project}-${SERVICE}-1`);
          if (!env.includes(`GENERATION=${generation}`)) throw new Error(`replica 1 runs ${env.split('\n').find((l) => l.startsWith('GENERATION')) ?? 'no GENERATION'}, the file says ${generation}`);
        },
        { timeoutMs, intervalMs: 1_000 },
      );
    } catch (error) {
      last.problems = [...new Set([...last.problems, error instanceof Error ? error.message : String(error)])];
    }
    return last;
  }

  // Straight to the API, not the CLI: a CLI `up` that finds no daemon would start one of its own.
  async function upRequest(): Promise<void> {
    try {
      for await (const _ of daemon.client.lines('/v1/projects', { method: 'POST', body: { files: [file], cwd: dir, env: {}, profiles: [] } })) void _;
    } catch {
      // The daemon was killed mid-request.
    }
  }

  async function scaleRequest(): Promise<void> {
    await daemon.client.json(`/v1/projects/${project}/services/${SERVICE}/scale`, { method: 'POST', body: { replicas: desired } }).catch(() => undefined);
  }

  async function startAction(action: Action): Promise<void> {
    switch (action) {
      case 'bring-up': {
        // down without -v keeps the volumes; then up creates all replicas again.
        const down = await daemon.cli(['down', '-t', '1'], { cwd: dir });
        expect(down.code, down.stderr).toBe(0);
        desired = FULL;
        void upRequest();
        return;
      }
      case 'scale':
        desired = desired === FULL ? SCALED : FULL;
        void scaleRequest();
        return;
      case 'rollout':
        generation++;
        await writeFile(file, composeFile(project, generation));
        return;
      case 'edit-while-down':
        // The file changes in the moment the daemon is dead (or inside its 300 ms debounce).
        return;
      case 'replace': {
        const victims = [...new Set(Array.from({ length: 5 }, () => 1 + Math.floor(random() * desired)))];
        await Promise.all(victims.map((n) => docker('kill', `${project}-${SERVICE}-${n}`).catch(() => '')));
        return;
      }
    }
  }

  it(`survives ${TRIALS} kills at random moments`, async () => {
    const actions: Action[] = ['bring-up', 'scale', 'rollout', 'replace', 'edit-while-down', 'scale', 'rollout', 'replace'];
    const failures: string[] = [];
    for (let trial = 1; trial <= TRIALS; trial++) {
      const action = actions[(trial - 1) % actions.length]!;
      // Before the fault: settled, and a marker per replica in both volumes.
      const before = await settled();
      if (before.problems.length > 0) throw new Error(`trial ${trial}: not settled before the fault: ${before.problems.join('; ')}`);
      await markers.write(desired, `t${trial}`);
      const journalBefore = (await journalOnDisk(daemon.stateDir)).events;

      const delay = Math.floor(random() * MAX_DELAY_MS[action]);
      await startAction(action);
      await sleep(delay);
      await daemon.kill9();
      if (action === 'edit-while-down') {
        generation++;
        await writeFile(file, composeFile(project, generation));
      }
      tally.trials++;
      tally.faults++;
      // A scale or up the CLI had not yet delivered is lost with the daemon: ask again, as a user would.
      await daemon.start();
      if (action === 'scale') await scaleRequest();
      if (action === 'bring-up' && (await daemon.cli(['status', '-p', project])).code !== 0) await upRequest();

      const after = await settled();
      const lost = after.problems.length === 0 ? await markers.missing(desired) : [];
      tally.dataLost += lost.length;
      tally.duplicates += after.duplicates;
      const problems = [...after.problems, ...lost, ...(await journalProblems(daemon, journalBefore))];
      if (problems.length === 0) tally.survived++;
      else {
        failures.push(`trial ${trial} (${action}, kill after ${delay} ms): ${problems.join('; ')}`);
        // Get back to a known state the way a user would (composed up), so later trials still count.
        await upRequest();
      }
      console.log(`[kill9] trial ${trial}/${TRIALS}: ${action}, kill -9 after ${delay} ms -> ${problems.length === 0 ? 'ok' : problems.join('; ')}`);
    }
    for (const f of failures) tally.note(f);
    const journal = await journalOnDisk(daemon.stateDir);
    tally.note(`journal after ${TRIALS} kills: ${journal.events.length} events, ${journal.torn} torn lines skipped on read`);
    expect(failures).toEqual([]);
    expect(tally.dataLost).toBe(0);
    expect(tally.duplicates).toBe(0);
  });
});
