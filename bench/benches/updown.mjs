// Bench 3, bring-up and tear-down of a 20-service project (named volumes, healthchecks, depends_on
// chains four deep): `composed up --wait` / `composed down` against Debian's docker-compose 1.29
// `up -d` / `down` on the very same file, alternating round by round.
//
// Like with like: docker-compose 1.29 has no `--wait`; its `up -d` waits only for the dependencies
// a `depends_on: condition: service_healthy` names, and returns before the last services are healthy.
// So its bring-up is timed as `up -d` plus the time until every container runs and every one with
// a healthcheck is healthy (polled by the bench every 100 ms), which is what `composed up --wait`
// waits for. `up -d` alone is reported beside it. Both `down`s stop and remove containers and the
// network and keep named volumes. The file has no `version:` key: docker-compose 1.29 then reads it
// as the Compose Specification (with depends_on conditions), as composed does.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon } from '../lib/daemon.mjs';
import { EventRecorder, EXIT_ON_TERM, IMAGE, LABEL_PROJECT, cleanupProjects } from '../lib/engine.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, nowMs, pollUntil, run as runCommand, sleep, uniqueName } from '../lib/util.mjs';

const WARMUP_ROUNDS = 1;

export const meta = { name: 'updown', title: 'Bring-up and tear-down' };

export async function run({ docker, rounds = 5 }) {
  const base = uniqueName('updown');
  const composedProject = trackProject(`${base}-composed`);
  const dcProject = trackProject(`${base}-dc`);
  const daemon = trackDaemon(await Daemon.create());
  const recorders = [];
  const file = join(daemon.dir, 'compose.yaml');
  try {
    await writeFile(file, COMPOSE_FILE);
    await daemon.start();
    const rec = {
      composed: await new EventRecorder(docker, `${LABEL_PROJECT}=${composedProject}`).start(),
      dc: await new EventRecorder(docker, `${LABEL_PROJECT}=${dcProject}`).start(),
    };
    recorders.push(...Object.values(rec));

    const steps = {
      composed: async () => {
        const from = rec.composed.mark();
        const t0 = nowMs();
        const up = await daemon.cli(['up', '-f', file, '-p', composedProject, '--wait', '-q']);
        if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
        const upMs = nowMs() - t0;
        const timeline = timelineOf(rec.composed.since(from), t0);
        timeline.outsideProbes = timeline.chainProbeWait === undefined ? undefined : upMs - timeline.chainProbeWait;
        await sleep(1_000);
        const t1 = nowMs();
        const down = await daemon.cli(['down', '-p', composedProject]);
        if (down.code !== 0) throw new Error(`composed down failed: ${down.stderr}${down.stdout}`);
        return { upMs, readyMs: upMs, downMs: nowMs() - t1, timeline };
      },
      dc: async () => {
        const from = rec.dc.mark();
        const t0 = nowMs();
        const up = await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'up', '-d'], { env: { COMPOSE_INTERACTIVE_NO_CLI: '1' } });
        if (up.code !== 0) throw new Error(`docker-compose up failed: ${up.stderr}${up.stdout}`);
        const upMs = nowMs() - t0;
        const readyAt = await pollUntil(async () => ((await allReady(docker, dcProject)) ? nowMs() : undefined), { timeoutMs: 120_000, intervalMs: 100 });
        if (readyAt === undefined) throw new Error('docker-compose project never got ready');
        const timeline = timelineOf(rec.dc.since(from), t0);
        timeline.outsideProbes = timeline.chainProbeWait === undefined ? undefined : readyAt - t0 - timeline.chainProbeWait;
        await sleep(1_000);
        const t1 = nowMs();
        const down = await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'down']);
        if (down.code !== 0) throw new Error(`docker-compose down failed: ${down.stderr}${down.stdout}`);
        return { upMs, readyMs: readyAt - t0, downMs: nowMs() - t1, timeline };
      },
    };

    const results = { composed: [], dc: [] };
    for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
      const order = round % 2 === 0 ? ['composed', 'dc'] : ['dc', 'composed'];
      for (const contender of order) {
        const r = await steps[contender]();
        if (round >= WARMUP_ROUNDS) results[contender].push(r);
        log(`updown: ${contender} round ${round + 1}${round < WARMUP_ROUNDS ? ' (warm-up)' : ''}: up ${Math.round(r.upMs)} ms, ready ${Math.round(r.readyMs)} ms, down ${Math.round(r.downMs)} ms`);
        await sleep(1_000);
      }
    }
    const fig = (c, k) => summarize(results[c].map((r) => r[k]));
    const tl = (c, k) => summarize(results[c].map((r) => r.timeline[k]).filter((v) => v !== undefined));
    const figures = {
      composed: { upWait: fig('composed', 'upMs'), down: fig('composed', 'downMs') },
      dockerCompose: { upD: fig('dc', 'upMs'), upDUntilReady: fig('dc', 'readyMs'), down: fig('dc', 'downMs') },
    };
    const timeline = {};
    for (const [c, label] of [['composed', 'composed'], ['dc', 'dockerCompose']]) {
      timeline[label] = Object.fromEntries(['firstCreate', 'lastCreate', 'firstStart', 'lastStart', 'lastHealthy', 'healthyToCreate', 'startedToCreate', 'chainProbeWait', 'outsideProbes', 'createToStart'].map((k) => [k, tl(c, k)]));
    }
    return { figures, timeline, config: { services: 20, rounds, warmupRounds: WARMUP_ROUNDS, compose: COMPOSE_FILE } };
  } finally {
    for (const r of recorders) r.stop();
    await daemon.cli(['down', '-p', composedProject, '-v']).catch(() => undefined);
    await runCommand('docker-compose', ['-f', file, '-p', dcProject, 'down', '-v']).catch(() => undefined);
    await daemon.stop();
    await cleanupProjects(docker, [composedProject, dcProject]);
  }
}

/** Every container of the project running, and healthy where it has a healthcheck; 20 of them. */
async function allReady(docker, project) {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  if (list.length < 20) return false;
  return list.every((c) => c.State === 'running' && !/\((health: starting|unhealthy)\)/.test(c.Status));
}

/** When (ms after the command started) the engine saw the first/last create, start and healthy. */
function timelineOf(events, t0) {
  const times = (action) => events.filter((e) => e.action === action || e.raw === action).map((e) => e.time - t0);
  const creates = times('create');
  const starts = times('start');
  const healthy = times('health_status: healthy');
  // How long after a dependency turned healthy (or started) its dependant was created: the
  // supervisor's reaction time to a depends_on condition being met.
  const serviceOf = (e) => e.attributes['com.docker.compose.service'];
  const first = (action, service) => events.find((e) => (e.action === action || e.raw === action) && serviceOf(e) === service)?.time;
  const healthyReactions = [];
  const startedReactions = [];
  for (const [name, opts] of SERVICES) {
    const created = first('create', name);
    if (created === undefined || !opts.deps) continue;
    // The condition is met when the last of the dependant's dependencies got there.
    const metAt = Math.max(...Object.entries(opts.deps).map(([dep, cond]) => first(cond === 'service_healthy' ? 'health_status: healthy' : 'start', dep) ?? NaN));
    if (!Number.isFinite(metAt)) continue;
    const waitsForHealth = Object.values(opts.deps).includes('service_healthy');
    (waitsForHealth ? healthyReactions : startedReactions).push(created - metAt);
  }
  // The longest depends_on chain waits for four healthchecks in turn; from each one's start to its
  // first healthy probe is the engine's schedule (interval 1s), which no supervisor can shorten.
  const chain = ['db', 'api1', 'web1', 'edge'];
  const probeWaits = chain.map((name) => (first('health_status: healthy', name) ?? NaN) - (first('start', name) ?? NaN));
  const chainProbeWait = probeWaits.every(Number.isFinite) ? probeWaits.reduce((a, b) => a + b, 0) : undefined;
  const median = (xs) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : undefined);
  // Per container: engine create -> start (the create itself is before it; the start is most of it).
  const createToStart = events
    .filter((e) => e.action === 'start')
    .map((e) => e.time - (events.find((c) => c.action === 'create' && c.id === e.id)?.time ?? NaN))
    .filter(Number.isFinite);
  return {
    createToStart: median(createToStart),
    chainProbeWait,
    healthyToCreate: median(healthyReactions),
    startedToCreate: median(startedReactions),
    firstCreate: creates.length ? Math.min(...creates) : undefined,
    lastCreate: creates.length ? Math.max(...creates) : undefined,
    firstStart: starts.length ? Math.min(...starts) : undefined,
    lastStart: starts.length ? Math.max(...starts) : undefined,
    lastHealthy: healthy.length ? Math.max(...healthy) : undefined,
  };
}

const CMD = `["sh", "-c", ${JSON.stringify(EXIT_ON_TERM)}]`;
const HEALTH = `healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 3 }`;
const svc = (name, { volume, health, deps } = {}) => {
  const lines = [`  ${name}:`, `    image: ${IMAGE}`, `    command: ${CMD}`];
  if (volume) lines.push(`    volumes: [${volume}]`);
  if (health) lines.push(`    ${HEALTH}`);
  if (deps) {
    lines.push('    depends_on:');
    for (const [dep, condition] of Object.entries(deps)) lines.push(`      ${dep}: { condition: ${condition} }`);
  }
  return lines.join('\n');
};

/** 20 services: 5 with healthchecks, 4 named volumes, depends_on chains db -> api1 -> web1 -> edge -> admin. */
const SERVICES = [
  ['db', { volume: 'dbdata:/data', health: true }],
  ['cache', { volume: 'cachedata:/data', health: true }],
  ['queue', { health: false }],
  ['search', { volume: 'searchdata:/data' }],
  ['api1', { health: true, deps: { db: 'service_healthy', cache: 'service_healthy' } }],
  ['api2', { deps: { db: 'service_healthy', cache: 'service_healthy' } }],
  ['api3', { deps: { db: 'service_healthy' } }],
  ['api4', { deps: { db: 'service_healthy', search: 'service_started' } }],
  ['worker1', { deps: { queue: 'service_started', api1: 'service_started' } }],
  ['worker2', { deps: { queue: 'service_started', api1: 'service_started' } }],
  ['worker3', { deps: { queue: 'service_started' } }],
  ['worker4', { deps: { queue: 'service_started' } }],
  ['web1', { volume: 'uploads:/uploads', health: true, deps: { api1: 'service_healthy', api2: 'service_started' } }],
  ['web2', { volume: 'uploads:/uploads', deps: { api1: 'service_healthy' } }],
  ['web3', { deps: { api3: 'service_started' } }],
  ['edge', { health: true, deps: { web1: 'service_healthy', web2: 'service_started' } }],
  ['admin', { deps: { edge: 'service_healthy' } }],
  ['cron', { deps: { db: 'service_healthy' } }],
  ['metrics', {}],
  ['logship', { deps: { metrics: 'service_started' } }],
];

const COMPOSE_FILE = `services:
${SERVICES.map(([name, opts]) => svc(name, opts)).join('\n')}
volumes:
  dbdata: {}
  cachedata: {}
  searchdata: {}
  uploads: {}
`;
