// Bench 2, crash storm: all 100 replicas of one service die at once; time until all 100 run again,
// composed against 100 identical engine-managed `--restart=always` containers, alternating, while
// the daemon's `status` is sampled throughout (it must answer within 1 s), and the engine's own
// listing of its contender's containers at the same rate during the engine's storms.
//
// The kill: SIGKILL from the host to every container's pid 1, all within a few ms (as an OOM killer
// or a runtime crash would). Not `docker kill`: the engine records that as a manual stop and its
// `--restart=always` then leaves the container down (observed on 20.10), so it would compare nothing.
// Every container ran > 10.5 s before each storm, so neither contender applies a restart backoff.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cloneOptions, createNetwork } from '../lib/clone.mjs';
import { killAndAwaitRestarts, killTargets } from '../lib/host-kill.mjs';
import { Daemon } from '../lib/daemon.mjs';
import { CRASH_ON_TERM, EventRecorder, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, parallel, sleep, uniqueName } from '../lib/util.mjs';

const REPLICAS = 100;
const REST_MS = 10_500;
const STORM_TIMEOUT_MS = 90_000;
const STATUS_EVERY_MS = 100;

export const meta = { name: 'storm', title: 'Crash storm' };

export async function run({ docker, rounds = 3 }) {
  const project = trackProject(uniqueName('storm'));
  const engineProject = trackProject(`${project}-engine`);
  const daemon = trackDaemon(await Daemon.create());
  const recorders = [];
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project));
    await daemon.start({ trace: true });
    const upStarted = nowMs();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q', '--wait-timeout', '5m']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    const composedUpMs = nowMs() - upStarted;
    log(`storm: composed brought up ${REPLICAS} replicas in ${Math.round(composedUpMs)} ms`);

    const rec = {
      composed: await new EventRecorder(docker, `${LABEL_PROJECT}=${project}`).start(),
      engine: await new EventRecorder(docker, `${LABEL_PROJECT}=${engineProject}`).start(),
    };
    recorders.push(...Object.values(rec));
    const template = await docker.getContainer(`${project}-crash-1`).inspect();
    const net = await createNetwork(docker, engineProject);
    const engineUpStarted = nowMs();
    await parallel([...Array(REPLICAS).keys()], 8, async (i) => {
      const c = await docker.createContainer(cloneOptions(template, { name: `${engineProject}-crash-${i + 1}`, project: engineProject, network: net, restart: 'always' }));
      await c.start();
    });
    const engineUpMs = nowMs() - engineUpStarted;

    const storms = { composed: [], engine: [] };
    let lastStormEnd = nowMs();
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['composed', 'engine'] : ['engine', 'composed'];
      for (const contender of order) {
        const rest = lastStormEnd + REST_MS - nowMs();
        if (rest > 0) await sleep(rest);
        const storm = await stormOnce({ docker, daemon, project: contender === 'composed' ? project : engineProject, contender, recorder: rec[contender] });
        storms[contender].push(storm);
        lastStormEnd = nowMs();
        log(`storm: ${contender} round ${round + 1}: all ${storm.restarted}/${REPLICAS} running after ${Math.round(storm.allRunningMs ?? NaN)} ms`);
        await sleep(1_000);
      }
    }
    const figure = (list, key) => summarize(list.map((s) => s[key]).filter((v) => v !== undefined));
    const figures = {};
    for (const contender of ['composed', 'engine']) {
      figures[contender] = {
        allRunning: figure(storms[contender], 'allRunningMs'),
        halfRunning: figure(storms[contender], 'halfRunningMs'),
        firstRunning: figure(storms[contender], 'firstRunningMs'),
        incomplete: storms[contender].filter((s) => s.restarted < REPLICAS).length,
      };
    }
    const statusLatencies = storms.composed.flatMap((s) => s.statusLatencies);
    figures.engineListing = { latency: summarize(storms.engine.flatMap((s) => s.statusLatencies)) };
    figures.status = { latency: summarize(statusLatencies), overOneSecond: statusLatencies.filter((ms) => ms >= 1000).length, failures: storms.composed.reduce((n, s) => n + s.statusFailures, 0) };
    figures.bringUp = { composedUpWaitMs: composedUpMs, engineCreateStartMs: engineUpMs };
    figures.journal = await journalOnDisk(daemon.stateDir);
    return {
      figures,
      profile: profileStorm(storms.composed, daemon.trace()),
      storms: Object.fromEntries(Object.entries(storms).map(([k, v]) => [k, v.map(({ statusLatencies, ...rest }) => rest)])),
      config: { replicas: REPLICAS, rounds, restMs: REST_MS, statusEveryMs: STATUS_EVERY_MS, compose: composeFile('<project>') },
    };
  } finally {
    for (const r of recorders) r.stop();
    // The daemon goes first (SIGTERM leaves containers running), then everything goes by label.
    await daemon.stop();
    await cleanupProjects(docker, [project, engineProject]);
  }
}

/**
 * What the daemon's journal holds after the storms: it is on in every daemon (default limits), so
 * the storms above were measured with every event and every dead replica's output going to disk.
 */
async function journalOnDisk(stateDir) {
  const count = async (dir, read) => {
    const names = await readdir(join(stateDir, dir), { recursive: true }).catch(() => []);
    let bytes = 0;
    let lines = 0;
    let files = 0;
    for (const name of names) {
      const path = join(stateDir, dir, name);
      const info = await stat(path);
      if (!info.isFile()) continue;
      files += 1;
      bytes += info.size;
      if (read) lines += (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '').length;
    }
    return { bytes, lines, files };
  };
  const events = await count('journal', true);
  const output = await count('previous-output', false);
  return { events: events.lines, eventBytes: events.bytes, previousOutputFiles: output.files, previousOutputBytes: output.bytes };
}

function composeFile(project) {
  return `name: ${project}
services:
  crash:
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(CRASH_ON_TERM)}]
    deploy:
      replicas: ${REPLICAS}
      restart_policy: { condition: any, delay: 0s, window: 10s }
`;
}

async function stormOnce({ docker, daemon, project, contender, recorder }) {
  const listed = await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  const targets = await killTargets(docker, listed);
  const from = recorder.mark();

  // Watching the storm, as a user would, every 100 ms from just before it until it is over: the
  // daemon's status for composed, the engine's own listing of the project (\`docker ps\`) for the
  // engine's contender. Both cost the engine a container listing, so both storms carry the same load.
  const statusLatencies = [];
  let statusFailures = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = nowMs();
      try {
        if (contender === 'composed') {
          const res = await daemon.get(`/v1/projects/${project}/status`, { timeoutMs: 5_000 });
          if (res.status !== 200) statusFailures += 1;
        } else {
          await docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
        }
        statusLatencies.push(nowMs() - t);
      } catch {
        statusFailures += 1;
        statusLatencies.push(nowMs() - t);
      }
      await sleep(STATUS_EVERY_MS);
    }
  })();
  await sleep(300);

  const { t0, oldIds, times } = await killAndAwaitRestarts({ targets, recorder, from, contender, timeoutMs: STORM_TIMEOUT_MS });
  await sleep(500);
  sampling = false;
  await sampler;
  const dies = recorder.since(from).filter((e) => e.action === 'die' && oldIds.has(e.id)).map((e) => e.time);
  const at = (fraction) => (times.length >= Math.ceil(targets.length * fraction) ? times[Math.ceil(targets.length * fraction) - 1] - t0 : undefined);
  return {
    contender,
    t0,
    killed: targets.length,
    restarted: times.length,
    lastDieMs: dies.length > 0 ? Math.max(...dies) - t0 : undefined,
    firstRunningMs: at(0.01),
    halfRunningMs: at(0.5),
    allRunningMs: times.length === targets.length ? times.at(-1) - t0 : undefined,
    statusLatencies,
    statusFailures,
  };
}

/** What the daemon did during composed's storms: engine calls by kind, and when it saw the exits. */
function profileStorm(storms, trace) {
  const perStorm = storms.map((s) => {
    const end = s.t0 + (s.allRunningMs ?? STORM_TIMEOUT_MS) + 50;
    const calls = trace.filter((c) => c.t0 >= s.t0 && c.t0 <= end && c.m !== 'call' && c.m !== 'event');
    const byMethod = {};
    for (const c of calls) {
      const m = (byMethod[c.m] ??= { count: 0, totalMs: 0, durations: [] });
      m.count += 1;
      m.totalMs += c.t1 - c.t0;
      m.durations.push(c.t1 - c.t0);
    }
    const lists = calls.filter((c) => c.m === 'listContainers');
    const firstCreate = calls.find((c) => c.m === 'createReplica');
    return {
      calls: Object.fromEntries(Object.entries(byMethod).map(([m, v]) => [m, { count: v.count, totalMs: v.totalMs, median: summarize(v.durations).median, max: summarize(v.durations).max }])),
      listings: lists.length,
      firstCreateMs: firstCreate ? firstCreate.t0 - s.t0 : undefined,
      // Gaps of > 2 s with no engine call: the daemon was waiting (for an event or the resync).
      idleGaps: idleGaps(calls, s.t0, end),
    };
  });
  return { perStorm };
}

function idleGaps(calls, from, to) {
  const gaps = [];
  let last = from;
  for (const c of [...calls].sort((a, b) => a.t0 - b.t0)) {
    if (c.t0 - last > 2_000) gaps.push({ fromMs: Math.round(last - from), toMs: Math.round(c.t0 - from) });
    last = Math.max(last, c.t1);
  }
  if (to - last > 2_000) gaps.push({ fromMs: Math.round(last - from), toMs: Math.round(to - from) });
  return gaps;
}
