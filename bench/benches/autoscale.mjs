// Bench 5, autoscale reaction: a 1-replica service with `interval: 1s` (other settings at their
// defaults: scale-up stabilization 0 s, scale-down stabilization 60 s) gets CPU load; time until the
// second replica runs, until the count settles; after the load stops, time until back to min.
// Beside it, what Kubernetes' HPA with its defaults would give on the same load, computed from its
// documented algorithm (bench/lib/k8s-hpa.mjs), not run.
//
// The load: every replica runs a burner that spins while /control/burn exists (a named volume all
// replicas share, as in test/e2e/autoscale.test.ts), under a 0.2-core limit, target 50 %. So every
// running replica is at 100 % of its limit while the load is on, and the count goes to max (4).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon } from '../lib/daemon.mjs';
import { EventRecorder, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { hpaOverPhases, simulateHpa } from '../lib/k8s-hpa.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, pollUntil, runOk, sleep, uniqueName } from '../lib/util.mjs';

const MIN = 1;
const MAX = 4;
/** The count is settled once it has not changed for this long with the load on. */
const SETTLE_QUIET_MS = 10_000;
const BURN_WHILE_FILE = `while true; do if [ -f /control/burn ]; then timeout 1 sh -c 'while :; do :; done'; else sleep 0.2; fi; done`;

export const meta = { name: 'autoscale', title: 'Autoscale reaction' };

export async function run({ docker, rounds = 2 }) {
  const project = trackProject(uniqueName('scale'));
  const daemon = trackDaemon(await Daemon.create());
  let recorder;
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project));
    await daemon.start();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    recorder = await new EventRecorder(docker, `${LABEL_PROJECT}=${project}`).start();
    const burner = async () => (await daemon.status(project)).services.find((s) => s.name === 'burner');
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      await pollUntil(async () => {
        const s = await burner();
        return s.desired === MIN && s.running === MIN;
      }, { timeoutMs: 120_000, intervalMs: 250 });
      await sleep(3_000);
      const from = recorder.mark();
      await runOk('docker', ['exec', `${project}-burner-1`, 'touch', '/control/burn']);
      const loadOn = nowMs();
      // Settled: the count unchanged for SETTLE_QUIET_MS, every desired replica running.
      let count = 1;
      let changedAt = loadOn;
      await pollUntil(async () => {
        const s = await burner();
        if (s.desired !== count) {
          count = s.desired;
          changedAt = nowMs();
        }
        return s.running === s.desired && nowMs() - changedAt >= SETTLE_QUIET_MS;
      }, { timeoutMs: 90_000, intervalMs: 250 });
      const starts = recorder.since(from).filter((e) => e.action === 'start' && e.time >= loadOn);
      const second = starts.find((e) => e.name === `${project}-burner-2`);
      const settledAt = Math.max(...starts.map((e) => e.time));
      const creates = recorder.since(from).filter((e) => e.action === 'create' && e.time >= loadOn);
      const createToStart = starts.map((s) => s.time - (creates.find((c) => c.id === s.id)?.time ?? NaN)).filter(Number.isFinite);

      const fromStop = recorder.mark();
      await runOk('docker', ['exec', `${project}-burner-1`, 'rm', '-f', '/control/burn']);
      const loadOff = nowMs();
      await pollUntil(async () => {
        const s = await burner();
        return s.desired === MIN && s.running === MIN;
      }, { timeoutMs: 150_000, intervalMs: 250 });
      const dies = recorder.since(fromStop).filter((e) => e.action === 'die' && e.time >= loadOff);
      const r = {
        round,
        peak: count,
        secondRunningMs: second ? second.time - loadOn : undefined,
        settledMs: Number.isFinite(settledAt) ? settledAt - loadOn : undefined,
        loadOnForMs: loadOff - loadOn,
        firstScaleDownMs: dies.length ? Math.min(...dies.map((e) => e.time)) - loadOff : undefined,
        backToMinMs: dies.length ? Math.max(...dies.map((e) => e.time)) - loadOff : undefined,
        createToStartMs: summarize(createToStart).median,
      };
      runs.push(r);
      log(`autoscale: round ${round + 1}: 2nd replica ${Math.round(r.secondRunningMs)} ms, settled at ${r.peak} after ${Math.round(r.settledMs)} ms, back to ${MIN} ${Math.round(r.backToMinMs)} ms after the load stopped`);
    }

    // Kubernetes on the same load: pods start as fast as composed's replicas did here.
    const podStartS = (summarize(runs.map((r) => r.createToStartMs)).median ?? 1000) / 1000;
    const loadOffAtS = Math.max(120, ...runs.map((r) => r.loadOnForMs / 1000));
    const k8sRuns = hpaOverPhases({ target: 50, min: MIN, max: MAX, loadOffAt: loadOffAtS, podStartS });
    const worked = simulateHpa({ target: 50, min: MIN, max: MAX, loadOffAt: loadOffAtS, podStartS, syncPhase: 7.5, scrapePhase: 7.5, trace: true });
    const fig = (k) => summarize(runs.map((r) => r[k]).filter((v) => v !== undefined));
    const k8s = (k) => summarize(k8sRuns.map((r) => r[k]).filter((v) => v !== undefined).map((s) => s * 1000));
    return {
      figures: {
        composed: { secondRunning: fig('secondRunningMs'), settled: fig('settledMs'), firstScaleDown: fig('firstScaleDownMs'), backToMin: fig('backToMinMs'), peak: runs.map((r) => r.peak) },
        kubernetes: { secondRunning: k8s('secondReplicaRunningS'), settled: k8s('settledS'), backToMin: k8s('backToMinAfterStopS'), peak: [...new Set(k8sRuns.map((r) => r.settledCount))] },
      },
      runs,
      k8sModel: { podStartS, loadOffAtS, phases: k8sRuns.length, worked: { syncPhase: 7.5, scrapePhase: 7.5, events: worked.events, log: worked.log } },
      config: { min: MIN, max: MAX, rounds, settleQuietMs: SETTLE_QUIET_MS, compose: composeFile('<project>') },
    };
  } finally {
    recorder?.stop();
    // The daemon goes first (SIGTERM leaves containers running), then everything goes by label.
    await daemon.stop();
    await cleanupProjects(docker, [project]);
  }
}

function composeFile(project) {
  return `name: ${project}
services:
  burner:
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(BURN_WHILE_FILE)}]
    stop_grace_period: 0s
    volumes: [control:/control]
    deploy: { replicas: 1, resources: { limits: { cpus: "0.2" } } }
    x-composed:
      autoscale:
        min: ${MIN}
        max: ${MAX}
        cpu: { target: 50 }
        interval: 1s
volumes:
  control: {}
`;
}
