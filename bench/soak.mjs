#!/usr/bin/env node
// The soak: `node bench/soak.mjs [--minutes 60]`. The built daemon supervises a crash loop (10
// replicas, each exiting 1-3 s after it starts, restart backoff capped at 2 s) beside steady
// services, and every 30 s the daemon's RSS, heap and event-loop delay (its /metrics) and `status`
// latency are sampled. bench/results/soak.json is rewritten at every sample, so an interrupted or
// still-running soak has its curve so far; bench/RESULTS.md is rendered from it at the end
// (`node bench/run.mjs --render` renders it at any time).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, REPO_ROOT, procSample } from './lib/daemon.mjs';
import { IMAGE, cleanupProjects, dockerClient, EXIT_ON_TERM } from './lib/engine.mjs';
import { summarize } from './lib/stats.mjs';
import { log, nowMs, sleep, uniqueName } from './lib/util.mjs';

const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg > 0 ? Number(process.argv[minutesArg + 1]) : 60;
const SAMPLE_EVERY_MS = 30_000;
const STATUS_CALLS_PER_SAMPLE = 5;
const CRASHING = 10;
const STEADY_SERVICES = 5;
const STEADY_PER_SERVICE = 4;
const RESULT_FILE = join(REPO_ROOT, 'bench/results/soak.json');

const docker = dockerClient();
const project = uniqueName('soak');
const daemon = await Daemon.create();
let stopping = false;

async function cleanup(signal) {
  if (stopping) return;
  stopping = true;
  log(`soak: ${signal}: stopping the daemon, removing ${project}`);
  await daemon.stop();
  await cleanupProjects(docker, [project]);
}
process.once('SIGINT', () => void cleanup('SIGINT').then(() => process.exit(130)));
process.once('SIGTERM', () => void cleanup('SIGTERM').then(() => process.exit(143)));

function composeFile(name) {
  const steady = Array.from({ length: STEADY_SERVICES }, (_, i) => `
  steady${i + 1}:
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(EXIT_ON_TERM)}]
    deploy: { replicas: ${STEADY_PER_SERVICE} }`).join('');
  // busybox sh has $RANDOM: each run lasts 1, 2 or 3 s, then exits 1.
  return `name: ${name}
services:
  crash:
    image: ${IMAGE}
    restart: always
    command: ["sh", "-c", "sleep $$((RANDOM % 3 + 1)); exit 1"]
    deploy: { replicas: ${CRASHING} }
    x-composed: { restart_backoff: { max: 2s } }${steady}
`;
}

/** The families the soak samples, from the daemon's /metrics text. */
function fromMetrics(text) {
  const value = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  let restarts = 0;
  for (const m of text.matchAll(/^composed_restarts_total\{[^}]*\} (\S+)$/gm)) restarts += Number(m[1]);
  return {
    rssBytes: value('composed_process_resident_memory_bytes'),
    heapUsedBytes: value('composed_process_heap_used_bytes'),
    heapTotalBytes: value('composed_process_heap_total_bytes'),
    externalBytes: value('composed_process_external_bytes'),
    loopDelayP99Ms: value('composed_event_loop_delay_p99_seconds') * 1000,
    loopDelayMaxMs: value('composed_event_loop_delay_max_seconds') * 1000,
    restarts,
  };
}

function machine() {
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  return { commit };
}

async function main() {
  const file = join(daemon.dir, 'compose.yaml');
  await writeFile(file, composeFile(project));
  await daemon.start();
  const up = await daemon.cli(['up', '-f', file, '-q']);
  if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
  log(`soak: ${project} up (daemon pid ${daemon.pid}, log ${daemon.logFile}); ${MINUTES} min, a sample every ${SAMPLE_EVERY_MS / 1000} s into ${RESULT_FILE}`);
  await daemon.get('/metrics'); // starts the daemon's event-loop monitor
  const started = nowMs();
  const samples = [];
  while (!stopping && nowMs() - started < MINUTES * 60_000) {
    await sleep(SAMPLE_EVERY_MS - ((nowMs() - started) % SAMPLE_EVERY_MS));
    if (stopping) break;
    const latencies = [];
    let statusFailures = 0;
    for (let i = 0; i < STATUS_CALLS_PER_SAMPLE; i++) {
      const t = nowMs();
      const res = await daemon.get(`/v1/projects/${project}/status`, { timeoutMs: 10_000 }).catch(() => undefined);
      if (res?.status !== 200) statusFailures += 1;
      latencies.push(nowMs() - t);
    }
    const metrics = fromMetrics((await daemon.get('/metrics')).body);
    const sample = { atS: Math.round((nowMs() - started) / 1000), procRssKb: procSample(daemon.pid).rssKb, ...metrics, statusMs: summarize(latencies), statusFailures };
    samples.push(sample);
    log(`soak: ${sample.atS} s: rss ${Math.round(sample.rssBytes / 2 ** 20)} MB, heap ${Math.round(sample.heapUsedBytes / 2 ** 20)} MB, loop p99 ${sample.loopDelayP99Ms.toFixed(1)} ms, status median ${Math.round(sample.statusMs.median)} ms, ${sample.restarts} restarts`);
    writeResult(samples, started, file);
  }
}

function writeResult(samples, started, file) {
  const entry = {
    name: 'soak',
    title: 'Soak',
    command: `node bench/soak.mjs --minutes ${MINUTES}`,
    machine: machine(),
    startedAt: new Date(started).toISOString(),
    durationMs: nowMs() - started,
    result: { minutes: MINUTES, plannedSamples: Math.floor((MINUTES * 60_000) / SAMPLE_EVERY_MS), samples, config: { crashing: CRASHING, steady: STEADY_SERVICES * STEADY_PER_SERVICE, sampleEveryMs: SAMPLE_EVERY_MS, statusCallsPerSample: STATUS_CALLS_PER_SAMPLE, compose: composeFile('<project>'), daemonDir: daemon.dir, composeFile: file } },
  };
  writeFileSync(RESULT_FILE, JSON.stringify(entry, null, 2) + '\n');
}

try {
  await main();
} finally {
  await cleanup('done');
}
execFileSync(process.execPath, [join(REPO_ROOT, 'bench/run.mjs'), '--render'], { stdio: 'inherit' });
