// Bench 9, scale: N running replicas (default 1,000 = 50 services x 20 busybox shells; COMPOSED_BENCH_SCALE
// sets N, in twenties) on one host. In turn on the same engine, never two sets at once (the host
// runs N shims, not 3N):
//   composed: `up --wait`, idle 120 s (daemon CPU, RSS, engine calls per minute), `status` and `ps`
//             latency idle, 10 % of replicas SIGKILLed from the host at once (time until all run
//             again; `status`/`ps` latency meanwhile), `down`;
//   engine:   the floor: the same containers (clones of composed's replicas) created and started
//             through the engine API with the best concurrency found, the same storm with the
//             engine's own `--restart=always`, then stop+remove through the API at that concurrency;
//   docker-compose `up -d` and `down` of the same file, when Debian's docker-compose is installed.
// The kill is from the host (not `docker kill`, which the engine's restart policy takes for a
// manual stop; storm.mjs). Everything ran > 10.5 s before the storm: no backoff on either side.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeNetworkNamed } from '../../dist/daemon/docker/resources.js';
import { cloneOptions, createNetwork } from '../lib/clone.mjs';
import { killAndAwaitRestarts, killTargets } from '../lib/host-kill.mjs';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { CRASH_ON_TERM, EventRecorder, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { callsPerMinute, clockTicksPerSecond, findPid, sampleWindow, cpuBetween } from '../lib/proc.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, parallel, run as runCommand, sleep, uniqueName } from '../lib/util.mjs';

const REPLICAS = Number(process.env.COMPOSED_BENCH_SCALE ?? 1000);
const PER_SERVICE = 20;
const SERVICES = Math.ceil(REPLICAS / PER_SERVICE);
/** COMPOSED_BENCH_SCALE_IDLE_S shortens it for a trial run at a small N. */
const IDLE_MS = Number(process.env.COMPOSED_BENCH_SCALE_IDLE_S ?? 120) * 1000;
const SETTLE_MS = 15_000;
const LATENCY_SAMPLES = 30;
const KILL_FRACTION = 0.1;
const REST_MS = 10_500;
const STORM_TIMEOUT_MS = 180_000;
const SAMPLE_EVERY_MS = 250;
/**
 * Engine API calls in flight for the floor. Tried with 100 containers on this shared 2-core host,
 * create+start then stop+remove: 4 lanes 81 s / 53 s, 8 lanes 53 s / 17 s, 16 lanes 42 s / 15 s,
 * 32 lanes 42 s / 55 s. 16 is the best of both.
 */
const FLOOR_LANES = Number(process.env.COMPOSED_BENCH_FLOOR_LANES ?? 16);

export const meta = { name: 'scale', title: 'A thousand containers on one host' };

export async function run({ docker }) {
  const base = uniqueName('scale');
  const project = trackProject(`${base}-composed`);
  const engineProject = trackProject(`${base}-engine`);
  const dcProject = trackProject(`${base}-dc`);
  const daemon = trackDaemon(await Daemon.create());
  const clockTicks = clockTicksPerSecond();
  const recorders = [];
  const file = join(daemon.dir, 'compose.yaml');
  try {
    await writeFile(file, composeFile());
    await daemon.start({ trace: true });
    const rec = await new EventRecorder(docker, `${LABEL_PROJECT}=${project}`).start();
    recorders.push(rec);

    // ---- composed: up, idle, storm, down ----------------------------------------------------
    let t = nowMs();
    const up = await daemon.cli(['up', '-f', file, '-p', project, '--wait', '-q', '--wait-timeout', '20m']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    const composedUpMs = nowMs() - t;
    log(`scale: composed brought up ${REPLICAS} replicas in ${Math.round(composedUpMs)} ms; settling, then ${IDLE_MS / 1000} s idle`);
    await sleep(SETTLE_MS);
    const dockerd = findPid('dockerd');
    const traceFrom = daemon.trace().length;
    const dockerdStart = dockerd ? procSample(dockerd) : undefined;
    const idle = await sampleWindow(daemon.pid, { ms: IDLE_MS, everyMs: 10_000, ticks: clockTicks });
    const dockerdEnd = dockerd ? procSample(dockerd) : undefined;
    const perMinute = callsPerMinute(daemon.trace().slice(traceFrom), idle.last.at, idle.seconds);
    const idleLatency = await latencies(daemon, project, LATENCY_SAMPLES);
    log(`scale: idle CPU ${idle.cpuPercent.toFixed(2)} % of a core, RSS ${Math.round(idle.last.rssKb / 1024)} MB, status p99 ${Math.round(idleLatency.status.p99)} ms`);

    await sleep(REST_MS);
    const composedStorm = await storm({ docker, daemon, project, contender: 'composed', recorder: rec });
    log(`scale: composed storm: ${composedStorm.restarted}/${composedStorm.killed} running again after ${Math.round(composedStorm.allRunningMs ?? NaN)} ms`);
    const template = await docker.getContainer(`${project}-s01-1`).inspect();
    await sleep(2_000);
    t = nowMs();
    const down = await daemon.cli(['down', '-p', project]);
    if (down.code !== 0) throw new Error(`composed down failed: ${down.stderr}${down.stdout}`);
    const composedDownMs = nowMs() - t;
    log(`scale: composed down in ${Math.round(composedDownMs)} ms`);

    // ---- the floor, and the engine's own restart ---------------------------------------------
    const engineRec = await new EventRecorder(docker, `${LABEL_PROJECT}=${engineProject}`).start();
    recorders.push(engineRec);
    const names = [];
    for (let s = 1; s <= SERVICES; s++) for (let n = 1; n <= PER_SERVICE; n++) names.push(`${engineProject}-s${String(s).padStart(2, '0')}-${n}`);
    t = nowMs();
    const network = await createNetwork(docker, engineProject);
    const ids = await parallel(names.slice(0, REPLICAS), FLOOR_LANES, async (name) => {
      const c = await docker.createContainer(cloneOptions(template, { name, project: engineProject, network, restart: 'always' }));
      await c.start();
      return c.id;
    });
    const floorUpMs = nowMs() - t;
    log(`scale: floor (engine API, ${FLOOR_LANES} lanes) brought up ${ids.length} in ${Math.round(floorUpMs)} ms`);
    await sleep(REST_MS);
    const engineStorm = await storm({ docker, project: engineProject, contender: 'engine', recorder: engineRec });
    log(`scale: engine storm: ${engineStorm.restarted}/${engineStorm.killed} running again after ${Math.round(engineStorm.allRunningMs ?? NaN)} ms`);
    // On engine 20.10 here, 16 concurrent stops of these containers (policy `always`, just after
    // the storm) were followed by a wedged engine: every inspect and network release waited on
    // libnetwork's lock (goroutine dump: 97 goroutines in releaseNetwork -> getAllNetworks) for good.
    // So the policy goes first, untimed; the floor's down is then what `down` does: stop, remove.
    await parallel(ids, FLOOR_LANES, (id) => docker.getContainer(id).update({ RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } }));
    await sleep(2_000);
    t = nowMs();
    // As `down` does: stop (pid 1 exits on TERM), remove, then the network.
    await parallel(ids, FLOOR_LANES, async (id) => {
      const c = docker.getContainer(id);
      await c.stop({ t: 10 }).catch(() => undefined);
      await c.remove({ force: true });
    });
    // The network as composed's `down` removes it (its own function, from dist/): engine 20.10 keeps
    // counting endpoints of containers just removed and answers 403 "has active endpoints" for a
    // few seconds, so the removal waits and retries; a plain remove stopped the 1,000-replica run.
    const networkLeft = await removeNetworkNamed(docker, network);
    const floorDownMs = nowMs() - t;
    log(`scale: floor down in ${Math.round(floorDownMs)} ms${networkLeft ? ` (network ${networkLeft})` : ''}`);

    // ---- docker-compose -------------------------------------------------------------------------
    let dockerCompose;
    if (hasDockerCompose()) {
      t = nowMs();
      const dcUp = await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'up', '-d'], { env: { COMPOSE_INTERACTIVE_NO_CLI: '1' } });
      const upMs = nowMs() - t;
      await sleep(2_000);
      t = nowMs();
      const dcDown = await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'down']);
      dockerCompose = { upDMs: upMs, downMs: nowMs() - t, upExit: dcUp.code, downExit: dcDown.code, error: dcUp.code !== 0 ? dcUp.stderr.slice(-2000) : undefined };
      log(`scale: docker-compose up -d ${Math.round(upMs)} ms, down ${Math.round(dockerCompose.downMs)} ms`);
    }

    return {
      figures: {
        replicas: REPLICAS,
        bringUp: { composedUpWaitMs: composedUpMs, floorMs: floorUpMs, dockerComposeUpDMs: dockerCompose?.upDMs },
        down: { composedMs: composedDownMs, floorMs: floorDownMs, floorNetworkLeft: networkLeft, dockerComposeMs: dockerCompose?.downMs },
        idle: {
          seconds: idle.seconds,
          cpuPercentOfOneCore: idle.cpuPercent,
          cpuPerInterval: summarize(idle.intervalCpu),
          rssMb: { atEnd: idle.last.rssKb / 1024, max: Math.max(...idle.samples.map((s) => s.rssKb)) / 1024 },
          dockerdCpuPercentOfOneCore: dockerdStart && dockerdEnd ? cpuBetween(dockerdStart, dockerdEnd, clockTicks) : undefined,
          engineCallsPerMinute: perMinute,
          status: idleLatency.status,
          ps: idleLatency.ps,
        },
        storm: {
          killed: composedStorm.killed,
          composed: withoutSamples(composedStorm),
          engine: withoutSamples(engineStorm),
          status: summarize(composedStorm.statusMs),
          ps: summarize(composedStorm.psMs),
          failures: composedStorm.failures,
        },
        dockerCompose,
      },
      profile: { stormCalls: callsByMethod(daemon.trace(), composedStorm.t0, composedStorm.t0 + (composedStorm.allRunningMs ?? STORM_TIMEOUT_MS)) },
      config: { replicas: REPLICAS, services: SERVICES, perService: PER_SERVICE, idleMs: IDLE_MS, settleMs: SETTLE_MS, floorLanes: FLOOR_LANES, killFraction: KILL_FRACTION, compose: composeFile() },
    };
  } finally {
    for (const r of recorders) r.stop();
    await daemon.stop();
    if (hasDockerCompose()) await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'down']).catch(() => undefined);
    await cleanupProjects(docker, [project, engineProject, dcProject]);
  }
}

function composeFile() {
  const lines = ['services:'];
  for (let s = 1; s <= SERVICES; s++) {
    lines.push(`  s${String(s).padStart(2, '0')}:`, `    image: ${IMAGE}`, `    command: ["sh", "-c", ${JSON.stringify(CRASH_ON_TERM)}]`);
    lines.push(`    deploy: { replicas: ${Math.min(PER_SERVICE, REPLICAS - (s - 1) * PER_SERVICE)}, restart_policy: { condition: any, delay: 0s, window: 10s } }`);
  }
  return lines.join('\n') + '\n';
}

function hasDockerCompose() {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `status` and `ps` (the API routes the CLI commands read), one after the other, `count` times each. */
async function latencies(daemon, project, count) {
  const status = [];
  const ps = [];
  for (let i = 0; i < count; i++) {
    status.push((await daemon.get(`/v1/projects/${project}/status`, { timeoutMs: 10_000 })).ms);
    ps.push((await daemon.get(`/v1/projects/${project}/containers`, { timeoutMs: 10_000 })).ms);
    await sleep(200);
  }
  return { status: summarize(status), ps: summarize(ps) };
}

/** SIGKILLs pid 1 of 10 % of the project's containers, spread over its services; times until each runs again. */
async function storm({ docker, daemon, project, contender, recorder }) {
  const listed = (await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${project}`] } })).sort((a, b) => (a.Names[0] < b.Names[0] ? -1 : 1));
  const every = Math.round(1 / KILL_FRACTION);
  const chosen = listed.filter((_, i) => i % every === 0);
  const targets = await killTargets(docker, chosen);
  const from = recorder.mark();
  const statusMs = [];
  const psMs = [];
  let failures = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && daemon) {
      for (const [path, into] of [[`/v1/projects/${project}/status`, statusMs], [`/v1/projects/${project}/containers`, psMs]]) {
        const t = nowMs();
        const res = await daemon.get(path, { timeoutMs: 10_000 }).catch(() => undefined);
        if (res?.status !== 200) failures += 1;
        into.push(nowMs() - t);
      }
      await sleep(SAMPLE_EVERY_MS);
    }
  })();
  await sleep(300);
  const { t0, times } = await killAndAwaitRestarts({ targets, recorder, from, contender, timeoutMs: STORM_TIMEOUT_MS });
  await sleep(500);
  sampling = false;
  await sampler;
  return {
    t0,
    killed: targets.length,
    restarted: times.length,
    halfRunningMs: times.length >= Math.ceil(targets.length / 2) ? times[Math.ceil(targets.length / 2) - 1] - t0 : undefined,
    allRunningMs: times.length === targets.length ? times.at(-1) - t0 : undefined,
    statusMs,
    psMs,
    failures,
  };
}

function withoutSamples({ statusMs, psMs, ...rest }) {
  return rest;
}

/** Engine calls the daemon made in a window, by method: count and total ms. */
function callsByMethod(trace, from, until) {
  const byMethod = {};
  for (const c of trace) {
    if (c.m === 'call' || c.m === 'event' || c.t0 < from || c.t0 > until) continue;
    const m = (byMethod[c.m] ??= { count: 0, totalMs: 0 });
    m.count += 1;
    m.totalMs += c.t1 - c.t0;
  }
  return byMethod;
}
