#!/usr/bin/env node
// The bench runner: `npm run bench` (all ten) or `npm run bench -- replacement storm` (some).
// Each bench's figures are written to bench/results/<name>.json; bench/RESULTS.md is then rewritten
// from every stored result, so re-running one bench updates its section and keeps the others (each
// section says when and by which command its figures were made).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './lib/daemon.mjs';
import { IMAGE, cleanupProjects, dockerClient, engineInfo } from './lib/engine.mjs';
import { renderResults } from './lib/report.mjs';
import { log } from './lib/util.mjs';
import * as replacement from './benches/replacement.mjs';
import * as storm from './benches/storm.mjs';
import * as updown from './benches/updown.mjs';
import * as overhead from './benches/overhead.mjs';
import * as autoscale from './benches/autoscale.mjs';
import * as balancer from './benches/balancer.mjs';
import * as cli from './benches/cli.mjs';
import * as dashboard from './benches/dashboard.mjs';
import * as scale from './benches/scale.mjs';
import * as simulation from './benches/simulation.mjs';
import { trackedProjects, trackedDaemons } from './lib/registry.mjs';

const BENCHES = { replacement, storm, updown, overhead, autoscale, balancer, cli, dashboard, scale, simulation };
/** Results written by scripts of their own (bench/soak.mjs, bench/balancer/vs-haproxy.mjs), rendered with the others. */
const OTHER_RESULTS = ['soak', 'balancer-haproxy'];
const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
const RESULTS_MD = join(REPO_ROOT, 'bench/RESULTS.md');

async function main() {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length > 0) {
    console.error(`unknown bench: ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  if (process.argv.includes('--render')) {
    writeFileSync(RESULTS_MD, renderResults(readResults()));
    log(`rewrote ${RESULTS_MD} from stored results`);
    return;
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHES);
  const command = names.length > 0 ? `npm run bench -- ${names.join(' ')}` : 'npm run bench';
  const docker = dockerClient();
  const needsEngine = selected.some((name) => BENCHES[name].meta.engine !== false);
  if (needsEngine) await checkEngine(docker);
  if (selected.includes('updown') || selected.includes('scale')) ensureDockerCompose();
  const machine = await machineFacts(docker, needsEngine);
  log(`machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, engine ${machine.engine?.version ?? 'not asked'}; benches: ${selected.join(', ')}`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const suiteStarted = Date.now();
  let failures = 0;
  for (const name of selected) {
    const bench = BENCHES[name];
    const started = Date.now();
    log(`${name}: starting`);
    let entry;
    try {
      const result = await bench.run({ docker, machine });
      entry = { name, title: bench.meta.title, command, machine, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, result };
      log(`${name}: done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (error) {
      failures += 1;
      entry = { name, title: bench.meta.title, command, machine, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, error: String(error?.stack ?? error) };
      log(`${name}: FAILED: ${error?.stack ?? error}`);
    }
    writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(entry, null, 2) + '\n');
    writeFileSync(RESULTS_MD, renderResults(readResults()));
  }
  log(`all done in ${Math.round((Date.now() - suiteStarted) / 1000)} s; wrote ${RESULTS_MD}`);
  if (failures > 0) process.exitCode = 1;
}

async function checkEngine(docker) {
  await docker.ping().catch((e) => {
    console.error(`no Docker engine answers (${e.message}); run scripts/setup-engine.sh`);
    process.exit(1);
  });
  await docker.getImage(IMAGE).inspect().catch(() => {
    console.error(`image ${IMAGE} is missing; run scripts/setup-engine.sh`);
    process.exit(1);
  });
}

function readResults() {
  return [...Object.keys(BENCHES), ...OTHER_RESULTS]
    .map((name) => join(RESULTS_DIR, `${name}.json`))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')));
}

/** Debian's docker-compose (the Python 1.29 release) for the bring-up bench. */
function ensureDockerCompose() {
  try {
    execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    return;
  } catch {
    log('installing Debian docker-compose (apt-get install -y docker-compose)');
  }
  const apt = (args) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', 'docker-compose']);
  } catch {
    apt(['update']);
    apt(['install', '-y', 'docker-compose']);
  }
}

async function machineFacts(docker, withEngine) {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  let dockerCompose;
  try {
    dockerCompose = execFileSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).trim();
  } catch {
    dockerCompose = undefined;
  }
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (+ uncommitted changes in src/)';
  } catch {
    commit = undefined;
  }
  return {
    cores: cpus().length,
    cpuModel,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    // A bench without the engine (the simulation) runs while the engine is busy or away.
    engine: withEngine ? await engineInfo(docker) : undefined,
    dockerCompose,
    commit,
  };
}

let cleaningUp = false;
async function emergencyCleanup(signal) {
  if (cleaningUp) return;
  cleaningUp = true;
  log(`${signal}: stopping daemons and removing what the benches created`);
  for (const daemon of trackedDaemons()) await daemon.stop().catch(() => undefined);
  await cleanupProjects(dockerClient(), trackedProjects());
  process.exit(130);
}
process.once('SIGINT', () => void emergencyCleanup('SIGINT'));
process.once('SIGTERM', () => void emergencyCleanup('SIGTERM'));
// An error no bench caught (e.g. the engine went away under a stream): clean up rather than leave
// a daemon supervising bench containers.
process.on('uncaughtException', (error) => {
  log(`uncaught: ${error?.stack ?? error}`);
  void emergencyCleanup('uncaught exception');
});
process.on('unhandledRejection', (error) => {
  log(`unhandled rejection: ${error?.stack ?? error}`);
  void emergencyCleanup('unhandled rejection');
});

await main();
