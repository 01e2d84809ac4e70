// Bench 4, daemon overhead: 100 supervised running containers, 20 of them autoscaled with
// `interval: 5s`; the daemon's RSS and CPU (percent of one core, from utime+stime in
// /proc/<pid>/stat) over 60 s idle, and the latency of one status request at that size.
// The daemon runs as a user runs it (default 30 s resync, info log), with the runtime trace preload
// (bench/lib/trace-runtime.mjs, one appended line per engine call) to count what it asks the engine
// for; dockerd's CPU over the same window is reported beside it, as the engine work the daemon's
// polling causes shows up there, and both are measured for 20 s before `up` (10 s after the daemon started) as a baseline.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { EXIT_ON_TERM, IMAGE, cleanupProjects } from '../lib/engine.mjs';
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
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
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
    const samples = [procSample(daemon.pid)];
    const dockerdStart = dockerd ? procSample(dockerd) : undefined;
    while (nowMs() - samples[0].at < IDLE_MS) {
      await sleep(SAMPLE_EVERY_MS);
      samples.push(procSample(daemon.pid));
    }
    const dockerdEnd = dockerd ? procSample(dockerd) : undefined;
    const first = samples[0];
    const last = samples.at(-1);
    const seconds = (last.at - first.at) / 1000;
    const cpuPercent = ((last.ticks - first.ticks) / clockTicks / seconds) * 100;
    const intervalCpu = samples.slice(1).map((s, i) => ((s.ticks - samples[i].ticks) / clockTicks / ((s.at - samples[i].at) / 1000)) * 100);
    const dockerdCpuPercent = dockerdStart && dockerdEnd ? ((dockerdEnd.ticks - dockerdStart.ticks) / clockTicks / ((dockerdEnd.at - dockerdStart.at) / 1000)) * 100 : undefined;

    // Engine calls and cgroup reads the daemon made during the idle window, per minute.
    const calls = daemon.trace().slice(traceFrom).filter((c) => c.m !== 'call' && c.m !== 'event' && c.t0 <= last.at);
    const perMinute = {};
    for (const c of calls) perMinute[c.m] = (perMinute[c.m] ?? 0) + 60 / seconds;
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
  const cmd = `["sh", "-c", ${JSON.stringify(EXIT_ON_TERM)}]`;
  const scaled = [1, 2, 3, 4]
    .map(
      (n) => `  scaled${n}:
    image: ${IMAGE}
    command: ${cmd}
    deploy: { replicas: 5, resources: { limits: { cpus: "0.5" } } }
    x-composed:
      autoscale: { min: 5, max: 10, cpu: { target: 60 }, interval: 5s }`,
    )
    .join('\n');
  return `name: ${project}
services:
  plain:
    image: ${IMAGE}
    command: ${cmd}
    deploy: { replicas: 80 }
${scaled}
`;
}

/** CPU (% of one core) of each pid over `ms`; undefined for a pid that is not there. */
async function cpuOver(ms, pids, clockTicks) {
  const first = pids.map((pid) => (pid ? procSample(pid) : undefined));
  await sleep(ms);
  return pids.map((pid, i) => {
    if (!pid || !first[i]) return undefined;
    const end = procSample(pid);
    return ((end.ticks - first[i].ticks) / clockTicks / ((end.at - first[i].at) / 1000)) * 100;
  });
}

/** The pid of the first process whose comm is `name`, or undefined. */
function findPid(name) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
