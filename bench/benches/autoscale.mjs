// Bench 5, autoscale reaction: a 1-replica service with `interval: 1s` (other settings at their
// defaults: scale-up stabilization 0 s, scale-down stabilization 60 s) gets CPU load; time until the
// second replica runs, until the count settles; after the load stops, time until back to min.
// Beside it, what Kubernetes' HPA with its defaults would give on the same load, computed from its
// documented algorithm (bench/lib/k8s-hpa.mjs), not run.
//
// The load: every replica runs a burner that spins while /control/burn exists (a named volume all
// replicas share, as in test/e2e/autoscale.test.ts), under a 0.2-core limit, target 50 %. So every
// running replica is at 100 % of its limit while the load is on, and the count goes to max (4).
//
// Then the sampling cost: the daemon's own CPU and RSS while it samples 100 running
// containers every 5 s, all of them autoscaled (20 idle services of 5 replicas, `interval: 5s`, a
// target idle containers never reach, so the count never changes). A daemon of its own, with the
// runtime trace preload to count the cgroup reads (`cpuSample`) it makes, measured as the overhead
// bench measures (bench/lib/proc.mjs) after the same 15 s of settling.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { EventRecorder, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { SCALED, idleComposeFile } from '../lib/idle-project.mjs';
import { hpaOverPhases, simulateHpa } from '../lib/k8s-hpa.mjs';
import { callsPerMinute, clockTicksPerSecond, sampleWindow } from '../lib/proc.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, pollUntil, runOk, sleep, uniqueName } from '../lib/util.mjs';

const MIN = 1;
const MAX = 4;
/** The count is settled once it has not changed for this long with the load on. */
const SETTLE_QUIET_MS = 10_000;
const BURN_WHILE_FILE = `while true; do if [ -f /control/burn ]; then timeout 1 sh -c 'while :; do :; done'; else sleep 0.2; fi; done`;

/** The sampling-cost phase: 20 services of SCALED.replicas (5) = 100 containers, settle and window as the overhead bench. */
const SAMPLING = { services: 20, settleMs: 15_000, windowMs: 60_000, sampleEveryMs: 5_000 };

export const meta = { name: 'autoscale', title: 'Autoscale reaction' };

export async function run({ docker, rounds = 2 }) {
  const reaction = await reactionPhase({ docker, rounds });
  const sampling = await samplingCostPhase({ docker });
  return {
    ...reaction,
    figures: { ...reaction.figures, samplingCost: sampling.figures },
    samplingCost: { autoscaled: sampling.autoscaled, config: sampling.config },
  };
}

async function reactionPhase({ docker, rounds }) {
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

async function samplingCostPhase({ docker }) {
  const project = trackProject(uniqueName('scalecost'));
  const daemon = trackDaemon(await Daemon.create());
  const ticks = clockTicksPerSecond();
  const started = nowMs();
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, samplingComposeFile(project));
    await daemon.start({ trace: true });
    const rssBeforeUpKb = procSample(daemon.pid).rssKb;
    const t0 = nowMs();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q', '--wait-timeout', '2m']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    const upMs = nowMs() - t0;
    const running = (await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${project}`] } })).length;
    log(`autoscale: sampling cost: ${running} autoscaled containers up in ${Math.round(upMs)} ms; settling ${SAMPLING.settleMs / 1000} s, then measuring ${SAMPLING.windowMs / 1000} s`);
    await sleep(SAMPLING.settleMs);

    const traceFrom = daemon.trace().length;
    const { samples, last, seconds, cpuPercent, intervalCpu } = await sampleWindow(daemon.pid, { ms: SAMPLING.windowMs, everyMs: SAMPLING.sampleEveryMs, ticks });
    const perMinute = callsPerMinute(daemon.trace().slice(traceFrom), last.at, seconds);
    // Read back that every service was sampled and none changed its count (the load is idle).
    const status = await daemon.status(project);
    const autoscaled = status.services.filter((s) => s.autoscale).map((s) => ({ name: s.name, running: s.running, desired: s.desired, averageCpu: s.autoscale.averageCpu, lastDecision: s.autoscale.lastDecision?.reason }));
    log(`autoscale: sampling cost: daemon CPU ${cpuPercent.toFixed(2)} % of one core, cpuSample ${Math.round(perMinute.cpuSample ?? 0)}/min`);
    return {
      figures: {
        containers: running,
        autoscaledServices: autoscaled.length,
        countChanged: autoscaled.filter((s) => s.desired !== SCALED.replicas).length,
        cpuPercentOfOneCore: cpuPercent,
        cpuPerInterval: summarize(intervalCpu),
        rssMb: { max: Math.max(...samples.map((s) => s.rssKb)) / 1024, atEnd: last.rssKb / 1024, beforeUp: rssBeforeUpKb / 1024 },
        windowSeconds: seconds,
        cpuSamplesPerMinute: perMinute.cpuSample ?? 0,
        expectedCpuSamplesPerMinute: running * (60 / SCALED.intervalS),
        engineCallsPerMinute: perMinute,
        upWaitMs: upMs,
        phaseMs: nowMs() - started,
      },
      autoscaled,
      config: { ...SAMPLING, service: SCALED, clockTicks: ticks, compose: samplingComposeFile('<project>') },
    };
  } finally {
    // As in the reaction phase: the daemon first, then everything by label, also on failure.
    await daemon.stop();
    await cleanupProjects(docker, [project]);
  }
}

function samplingComposeFile(project) {
  return idleComposeFile(project, { plain: 0, scaled: SAMPLING.services });
}
