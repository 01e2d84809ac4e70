// Bench 4, daemon overhead: 100 supervised running containers, 20 of them autoscaled with
// `interval: 5s`; the daemon's RSS and CPU (percent of one core, from utime+stime in
// /proc/<pid>/stat) over 60 s idle, and the latency of one status request at that size.
// The daemon runs as a user runs it (default 30 s resync, info log), with the runtime trace preload
// (bench/lib/trace-runtime.mjs, one appended line per engine call) to count what it asks the engine
// for; dockerd's CPU over the same window is reported beside it, as the engine work the daemon's
// polling causes shows up there, and both are measured for 20 s before `up` (10 s after the daemon started) as a baseline.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { cleanupProjects } from '../lib/engine.mjs';
import { idleComposeFile } from '../lib/idle-project.mjs';
import { callsPerMinute, clockTicksPerSecond, cpuBetween, cpuOver, findPid, sampleWindow } from '../lib/proc.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, sleep, uniqueName } from '../lib/util.mjs';

const IDLE_MS = 60_000;
const SETTLE_MS = 15_000;
const SAMPLE_EVERY_MS = 5_000;
const STATUS_REQUESTS = 30;
const BASELINE_MS = 20_000;
const BASELINE_SETTLE_MS = 10_000;

export const meta = { name: 'overhead', title: 'Daemon overhead' };

export async function run({ docker }) {
  const project = trackProject(uniqueName('overhead'));
  const daemon = trackDaemon(await Daemon.create());
  const clockTicks = clockTicksPerSecond();
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project));
    await daemon.start({ trace: true });
    // Baseline: the daemon with no project, and dockerd meanwhile (the engine is shared with
    // whatever else runs on the machine; this shows how busy it is without the 100 containers).
    const dockerd = findPid('dockerd');
    await sleep(BASELINE_SETTLE_MS); // past the daemon's start-up
    // Beside it, three idle node processes: bare, with prom-client's default metrics (as the daemon
    // has for /metrics), and the same with a 100 ms event-loop monitor.
    const probes = ['none', 'prom', 'prom100'].map((mode) =>
      spawn(process.execPath, [join(import.meta.dirname, '../lib/idle-probe.mjs'), mode, String((BASELINE_MS + 5_000) / 1000)], { stdio: 'ignore' }),
    );
    await sleep(2_000);
    const baseline = await cpuOver(BASELINE_MS - 2_000, [daemon.pid, dockerd, ...probes.map((p) => p.pid)], clockTicks);
    const rssBeforeUpKb = procSample(daemon.pid).rssKb;
    const t0 = nowMs();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q', '--wait-timeout', '5m']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    const upMs = nowMs() - t0;
    const running = (await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } })).length;
    log(`overhead: ${running} containers up in ${Math.round(upMs)} ms; settling ${SETTLE_MS / 1000} s, then measuring ${IDLE_MS / 1000} s idle`);
    await sleep(SETTLE_MS);

    const traceFrom = daemon.trace().length;
    const dockerdStart = dockerd ? procSample(dockerd) : undefined;
    const { samples, last, seconds, cpuPercent, intervalCpu } = await sampleWindow(daemon.pid, { ms: IDLE_MS, everyMs: SAMPLE_EVERY_MS, ticks: clockTicks });
    const dockerdEnd = dockerd ? procSample(dockerd) : undefined;
    const dockerdCpuPercent = dockerdStart && dockerdEnd ? cpuBetween(dockerdStart, dockerdEnd, clockTicks) : undefined;

    // Engine calls and cgroup reads the daemon made during the idle window, per minute.
    const perMinute = callsPerMinute(daemon.trace().slice(traceFrom), last.at, seconds);
    const latencies = [];
    let statusBytes = 0;
    for (let i = 0; i < STATUS_REQUESTS; i++) {
      const res = await daemon.get(`/v1/projects/${project}/status`);
      latencies.push(res.ms);
      statusBytes = JSON.stringify(res.body).length;
      await sleep(200);
    }
    const status = await daemon.status(project);
    const autoscaled = status.services.filter((s) => s.autoscale).map((s) => ({ name: s.name, running: s.running, desired: s.desired, lastDecision: s.autoscale?.lastDecision?.reason }));
    return {
      figures: {
        containers: running,
        rssMb: { atEnd: last.rssKb / 1024, max: Math.max(...samples.map((s) => s.rssKb)) / 1024, beforeUp: rssBeforeUpKb / 1024 },
        cpuPercentOfOneCore: cpuPercent,
        cpuPerInterval: summarize(intervalCpu),
        idleSeconds: seconds,
        dockerdCpuPercentOfOneCore: dockerdCpuPercent,
        baseline: { seconds: (BASELINE_MS - 2_000) / 1000, daemonCpuPercent: baseline[0], dockerdCpuPercent: baseline[1] },
        idleNode: { bare: baseline[2], promDefaultMetrics: baseline[3], promDefaultMetrics100ms: baseline[4] },
        engineCallsPerMinute: perMinute,
        statusLatency: summarize(latencies),
        statusBytes,
        upWaitMs: upMs,
      },
      autoscaled,
      config: { idleMs: IDLE_MS, settleMs: SETTLE_MS, sampleEveryMs: SAMPLE_EVERY_MS, statusRequests: STATUS_REQUESTS, clockTicks, compose: composeFile('<project>') },
    };
  } finally {
    // The daemon goes first (SIGTERM leaves containers running), then everything goes by label.
    await daemon.stop();
    await cleanupProjects(docker, [project]);
  }
}

function composeFile(project) {
  return idleComposeFile(project, { plain: 80, scaled: 4 });
}
