// Bench 1, replacement latency: a replica whose process exits 1 is replaced by composed; beside it
// the engine's own `--restart=always` restarts an identical container, and the floor is what any
// external supervisor needs at least (see the die event, then `docker create` + `docker start`).
//
// The crash: SIGTERM sent from the host (the bench runs as root) to the container's pid 1, a shell
// that traps TERM and exits 1 at once (CRASH_ON_TERM). To the engine that is the process crashing by
// itself: no `docker kill` (which the engine records as a manual stop, after which `--restart=always`
// does not restart the container: observed on 20.10), no `docker exec` (its own events and work).
// The bench chooses when each crash happens, so contenders alternate and trials never overlap. Every instance rests >= 10.5 s
// between its crashes: longer than composed's `restart_policy.window: 10s` and the engine's fixed
// 10 s reset of its restart backoff, so neither applies a backoff (composed's delay is 0 s; the
// engine always waits its minimum 100 ms). Contenders take turns trial by trial, the order rotating
// every round, each trial alone on the engine.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cloneOptions, createNetwork } from '../lib/clone.mjs';
import { Daemon } from '../lib/daemon.mjs';
import { CRASH_ON_TERM, EventRecorder, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { summarize } from '../lib/stats.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { log, nowMs, pollUntil, sleep, uniqueName } from '../lib/util.mjs';

const INSTANCES = 6;
const REST_MS = 10_500;
/** Longer than the daemon's default 30 s resync, so a missed event still ends in a replacement. */
const TRIAL_TIMEOUT_MS = 40_000;

export const meta = {
  name: 'replacement',
  title: 'Replacement latency',
};

export async function run({ docker, rounds = 50, budgetMs = 4 * 60_000 }) {
  const project = uniqueName('repl');
  const engineProject = `${project}-engine`;
  const floorProject = `${project}-floor`;
  const projects = [project, engineProject, floorProject].map(trackProject);
  const daemon = trackDaemon(await Daemon.create());
  const recorders = [];
  const floorRemovals = [];
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project));
    await daemon.start({ trace: true });
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);

    const rec = {
      composed: await new EventRecorder(docker, `${LABEL_PROJECT}=${project}`).start(),
      engine: await new EventRecorder(docker, `${LABEL_PROJECT}=${engineProject}`).start(),
      floor: await new EventRecorder(docker, `${LABEL_PROJECT}=${floorProject}`).start(),
    };
    recorders.push(...Object.values(rec));

    // The engine's contender and the floor run a clone of composed's replica 1.
    const template = await docker.getContainer(`${project}-crash-1`).inspect();
    const engineNet = await createNetwork(docker, engineProject);
    const floorNet = await createNetwork(docker, floorProject);
    const instances = { composed: [], engine: [], floor: [] };
    for (let i = 1; i <= INSTANCES; i++) {
      const name = `${engineProject}-crash-${i}`;
      const c = await docker.createContainer(cloneOptions(template, { name, project: engineProject, network: engineNet, restart: 'always' }));
      await c.start();
      instances.engine.push({ id: c.id, name, lastStart: nowMs() });
      const fname = `${floorProject}-crash-${i}-0`;
      const f = await docker.createContainer(cloneOptions(template, { name: fname, project: floorProject, network: floorNet, restart: 'no' }));
      await f.start();
      instances.floor.push({ id: f.id, name: fname, lastStart: nowMs(), generation: 0, index: i });
      const replica = await docker.getContainer(`${project}-crash-${i}`).inspect();
      instances.composed.push({ id: replica.Id, name: replica.Name.slice(1), lastStart: Date.parse(replica.State.StartedAt), number: i });
    }

    // The floor's supervisor: on `die` of a floor container, create and start its successor at once;
    // the dead one is removed afterwards, off the measured path.
    const floorCreateStart = [];
    const floorErrors = [];
    rec.floor.subscribe((event) => {
      if (event.action !== 'die') return;
      const inst = instances.floor.find((f) => f.id === event.id);
      if (!inst) return;
      inst.generation += 1;
      const name = `${floorProject}-crash-${inst.index}-${inst.generation}`;
      const t0 = nowMs();
      const deadId = inst.id;
      inst.pending = (async () => {
        const c = await docker.createContainer(cloneOptions(template, { name, project: floorProject, network: floorNet, restart: 'no' }));
        const t1 = nowMs();
        await c.start();
        floorCreateStart.push({ create: t1 - t0, start: nowMs() - t1, reaction: t0 - event.time });
        inst.id = c.id;
        inst.name = name;
        floorRemovals.push(docker.getContainer(deadId).remove({ force: true }).catch(() => undefined));
      })().catch((error) => {
        floorErrors.push(String(error?.message ?? error));
      });
    });

    const trials = { composed: [], engine: [], floor: [] };
    const order = ['composed', 'engine', 'floor'];
    const started = Date.now();
    let stoppedEarly;
    for (let round = 0; round < rounds; round++) {
      if (Date.now() - started > budgetMs) {
        stoppedEarly = `stopped after ${round} rounds: the bench's time budget (${Math.round(budgetMs / 1000)} s) ran out`;
        break;
      }
      const rotated = order.map((_, k) => order[(k + round) % order.length]);
      for (const contender of rotated) {
        const inst = instances[contender][round % INSTANCES];
        const rest = inst.lastStart + REST_MS - nowMs();
        if (rest > 0) await sleep(rest);
        const trial = await crashOnce({ docker, daemon, project, contender, inst, recorder: rec[contender] });
        trial.round = round;
        trials[contender].push(trial);
        if (trial.start !== undefined) inst.lastStart = trial.start;
        else inst.lastStart = nowMs();
        await sleep(250);
      }
      if (round % 10 === 9) log(`replacement: ${round + 1} rounds`);
    }
    await Promise.all(instances.floor.map((f) => f.pending));

    const figures = {};
    for (const contender of order) {
      const done = trials[contender].filter((t) => t.startLatency !== undefined);
      figures[contender] = {
        dieToStart: summarize(done.map((t) => t.startLatency)),
        dieToRunning: summarize(done.map((t) => t.runningLatency).filter((v) => v !== undefined)),
        timeouts: trials[contender].length - done.length,
        attempts: trials[contender].length,
      };
    }
    figures.floorSteps = {
      reaction: summarize(floorCreateStart.map((s) => s.reaction)),
      create: summarize(floorCreateStart.map((s) => s.create)),
      start: summarize(floorCreateStart.map((s) => s.start)),
    };
    if (floorErrors.length > 0) figures.floorErrors = floorErrors;
    const profile = profileComposed(trials.composed, daemon.trace(), rec.composed);
    return {
      figures,
      profile,
      stoppedEarly,
      config: { instances: INSTANCES, restMs: REST_MS, rounds, trialTimeoutMs: TRIAL_TIMEOUT_MS, compose: composeFile('<project>') },
      trials: Object.fromEntries(order.map((c) => [c, trials[c].map(({ startLatency, runningLatency, round, error }) => ({ round, startLatency, runningLatency, error }))])),
    };
  } finally {
    for (const r of recorders) r.stop();
    await Promise.allSettled(floorRemovals);
    // The daemon goes first (SIGTERM leaves containers running), then everything goes by label.
    await daemon.stop();
    await cleanupProjects(docker, projects);
  }
}

function composeFile(project) {
  return `name: ${project}
services:
  crash:
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(CRASH_ON_TERM)}]
    deploy:
      replicas: ${INSTANCES}
      restart_policy: { condition: on-failure, delay: 0s, window: 10s }
`;
}

/** One crash: kill -TERM, then the die event, the replacement's start event, and its supervisor seeing it running. */
async function crashOnce({ docker, daemon, project, contender, inst, recorder }) {
  const from = recorder.mark();
  const oldId = inst.id;
  const { State } = await docker.getContainer(oldId).inspect();
  if (!State.Running || !State.Pid) return { contender, error: `instance ${inst.name} is not running` };
  const triggeredAt = nowMs();
  // From the host, not `docker kill`: the engine takes a `docker kill` for a manual stop and its
  // restart policy then leaves the container down (observed on 20.10).
  process.kill(State.Pid, 'SIGTERM');
  const die = await recorder.waitFor((e) => e.action === 'die' && e.id === oldId, { from, timeoutMs: 5_000 });
  if (!die) return { contender, error: 'no die event' };
  const isReplacementStart = {
    composed: (e) => e.action === 'start' && e.name === inst.name && e.id !== oldId,
    engine: (e) => e.action === 'start' && e.id === oldId && e.time > die.time,
    floor: (e) => e.action === 'start' && e.id !== oldId && e.name.startsWith(inst.name.replace(/-\d+$/, '-')),
  }[contender];
  const start = await recorder.waitFor(isReplacementStart, { from, timeoutMs: TRIAL_TIMEOUT_MS });
  if (!start) return { contender, die: die.time, triggeredAt, error: 'no replacement start within the timeout' };
  if (contender === 'composed') inst.id = start.id;

  // "Running" as its supervisor reports it, polled every 20 ms once the start event was seen (so the
  // polling never competes with the replacement itself).
  const runningAt = await pollUntil(
    async () => {
      if (contender === 'composed') {
        const status = await daemon.status(project);
        const replica = status.services[0]?.replicas.find((r) => r.number === inst.number);
        return replica && start.id.startsWith(replica.containerId) && replica.phase === 'running' ? nowMs() : undefined;
      }
      const i = await docker.getContainer(start.id).inspect();
      return i.State.Running ? nowMs() : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  );
  return {
    contender,
    triggeredAt,
    die: die.time,
    dieRecv: die.recv,
    start: start.time,
    newId: start.id,
    oldId,
    startLatency: start.time - die.time,
    runningLatency: runningAt === undefined ? undefined : runningAt - die.time,
  };
}

/**
 * Where composed's time goes, per crash: from the engine's `die` to the daemon receiving it, then
 * each engine call the daemon made for that replica (listed from the runtime trace), and the
 * engine's own destroy/create/start events of the replacement.
 */
function profileComposed(trials, trace, recorder) {
  const steps = new Map();
  const add = (step, value) => {
    if (!steps.has(step)) steps.set(step, []);
    steps.get(step).push(value);
  };
  let waitedForResync = 0;
  let listedRightAfterDie = 0;
  for (const t of trials) {
    if (t.startLatency === undefined) continue;
    const shortOld = t.oldId.slice(0, 12);
    const shortNew = t.newId.slice(0, 12);
    const window = trace.filter((c) => c.t0 >= t.die - 5 && c.t0 <= t.start + 5);
    const recv = window.find((c) => c.m === 'event' && c.action === 'die' && c.engineTime !== undefined && Math.abs(c.engineTime - Math.floor(t.die)) <= 1);
    if (recv) add('die event reaches the daemon', recv.t0 - t.die);
    const calls = window.filter((c) => c.m !== 'event' && c.m !== 'call');
    const onOld = (m) => calls.find((c) => c.m === m && c.arg === shortOld);
    const inspect = onOld('inspectContainer');
    const logs = onOld('logsTail');
    const stop = onOld('stopContainer');
    const remove = onOld('removeContainer');
    const create = calls.find((c) => c.m === 'createReplica');
    const startCall = calls.find((c) => c.m === 'startContainer' && c.arg === shortNew);
    // The listing that found the exit: the last one that ended before the dead container was inspected.
    const lastList = inspect ? calls.filter((c) => c.m === 'listContainers' && c.t1 <= inspect.t0 + 0.5).at(-1) : undefined;
    if (lastList) {
      add('die -> the listing that saw the exit begins', lastList.t0 - t.die);
      add('listContainers', lastList.t1 - lastList.t0);
      if (lastList.t0 - t.die > 1_000) {
        waitedForResync += 1;
        // Did the daemon list right after the die and still not act? (the listing was stale)
        if (calls.some((c) => c.m === 'listContainers' && c.t0 >= t.die && c.t0 < t.die + 1_000)) listedRightAfterDie += 1;
      }
      add('the listing that saw the exit begins -> start event (the replacement once the exit is seen)', t.start - lastList.t0);
    }
    if (inspect) add('inspectContainer (the dead one)', inspect.t1 - inspect.t0);
    if (inspect && logs) add('inspect ends -> logsTail begins (reconcile, state file write)', logs.t0 - inspect.t1);
    if (logs) add('logsTail (inspect for tty + logs)', logs.t1 - logs.t0);
    if (stop) add('stopContainer (already exited)', stop.t1 - stop.t0);
    if (remove) add('removeContainer', remove.t1 - remove.t0);
    if (create) add('createReplica (image inspect, volumes, create)', create.t1 - create.t0);
    if (startCall) add('startContainer', startCall.t1 - startCall.t0);
    if (inspect && create) add('dead container inspected -> create begins (all of the above)', create.t0 - inspect.t1);
    const ev = recorder.events.filter((e) => e.time >= t.die && e.time <= t.start + 1);
    const destroy = ev.find((e) => e.action === 'destroy' && e.id === t.oldId);
    const created = ev.find((e) => e.action === 'create' && e.id === t.newId);
    if (destroy) add('engine: die -> destroy (old removed)', destroy.time - t.die);
    if (created) add('engine: die -> create (new)', created.time - t.die);
    if (created) add('engine: create -> start', t.start - created.time);
  }
  const table = [...steps.entries()].map(([step, values]) => ({ step, ...summarize(values) }));
  return { steps: table, crashesWaitingForResync: waitedForResync, listedRightAfterDieButMissed: listedRightAfterDie };
}
