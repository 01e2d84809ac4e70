// composed's balancer against HAProxy and against no proxy at all. Two fast backends in containers
// (node-image.mjs: node's http server, no fork per request) on the engine's default bridge; HAProxy
// 2.6 from Debian (`apt-get install haproxy wrk`; this script installs them when missing) in `mode
// tcp`, `balance leastconn`, in front of the same two container addresses; "direct" is wrk straight
// to one of them. Traffic goes to 127.0.0.1 (the proxies listen there) and to the two containers
// this run created, nowhere else. wrk -t1 at 1, 16, 64 and 256 connections, keep-alive, short page
// and 1 MiB body; contenders alternate within each round so the host's noise (2 shared cores) hits
// all of them. CPU per proxy from /proc/<pid>/stat (utime + stime) over each window, as seconds per
// 10k requests. bench/results/balancer-haproxy.json, rendered into bench/RESULTS.md.
// Usage: node bench/balancer/vs-haproxy.mjs [rounds] [seconds]   (after `npm run build`)
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND_PORT, ensureNodeImage } from './node-image.mjs';
import { cleanupProjects, dockerClient } from '../lib/engine.mjs';
import { REPO_ROOT } from '../lib/daemon.mjs';
import { uniqueName } from '../lib/util.mjs';

const HERE = import.meta.dirname;
const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 3);
const LEVELS = [1, 16, 64, 256];
const BODIES = { short: '/', '1MiB': '/big' };
const CLOCK_TICKS = 100; // USER_HZ

function ensureTools() {
  const missing = ['haproxy', 'wrk'].filter((tool) => { try { execFileSync('which', [tool]); return false; } catch { return true; } });
  if (missing.length) execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit' });
}

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function forkReady(script, args) {
  const child = fork(join(HERE, script), args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => { child.once('message', () => resolve(child)); child.once('exit', (code) => reject(new Error(`${script} exited ${code}`))); });
}

async function startHaproxy(port, backends) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'global', '  maxconn 4000', 'defaults', '  mode tcp', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s',
    `frontend fe`, `  bind 127.0.0.1:${port}`, '  default_backend be',
    'backend be', '  balance leastconn', ...backends.map((address, i) => `  server web${i + 1} ${address}`), '',
  ].join('\n'));
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code) => code && console.error(`haproxy exited ${code}`));
  await waitForPort(port);
  return child;
}

async function waitForPort(port, host = '127.0.0.1') {
  for (let i = 0; i < 50; i++) {
    try { execFileSync('wrk', ['-t1', '-c1', '-d1s', `http://${host}:${port}/`], { stdio: 'ignore' }); return; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`nothing answers on ${host}:${port}`);
}

function wrk(address, path, connections) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(HERE, 'percentiles.lua'), `http://${address}${path}`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1));
}

/** Two backend containers labelled with `project` (cleaned up by it); their bridge addresses. */
async function startBackends(docker, image, project) {
  const addresses = [];
  for (let i = 1; i <= 2; i++) {
    const c = await docker.createContainer({ name: `${project}-web-${i}`, Image: image, Labels: { 'com.docker.compose.project': project } });
    await c.start();
    const ip = (await c.inspect()).NetworkSettings.IPAddress;
    await waitForPort(BACKEND_PORT, ip);
    addresses.push(`${ip}:${BACKEND_PORT}`);
  }
  return addresses;
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

ensureTools();
const docker = dockerClient();
const project = uniqueName('vs-haproxy');
const started = new Date();
const image = ensureNodeImage(HERE);
const children = [];
process.once('SIGINT', () => void cleanupProjects(docker, [project]).then(() => process.exit(130)));
const results = [];
let backends;
try {
  backends = await startBackends(docker, image, project);
  const ports = { composed: 18090, haproxy: 18091 };
  const composed = await forkReady('composed-balancer.mjs', [ports.composed, ...backends]);
  children.push(composed);
  const haproxy = await startHaproxy(ports.haproxy, backends);
  children.push(haproxy);
  const addresses = { composed: `127.0.0.1:${ports.composed}`, haproxy: `127.0.0.1:${ports.haproxy}`, direct: backends[0] };
  const pids = { composed: composed.pid, haproxy: haproxy.pid, direct: undefined };
  for (let round = 0; round < rounds; round++) {
    for (const [body, path] of Object.entries(BODIES)) {
      for (const connections of LEVELS) {
        const order = round % 2 === 0 ? ['composed', 'haproxy', 'direct'] : ['direct', 'haproxy', 'composed'];
        for (const contender of order) {
          const pid = pids[contender];
          const before = pid ? cpuSeconds(pid) : 0;
          const r = wrk(addresses[contender], path, connections);
          const cpu = pid ? cpuSeconds(pid) - before : undefined;
          results.push({ round, body, connections, contender, ...r, rps: r.requests / (r.micros / 1e6), cpuPer10k: cpu === undefined ? undefined : (cpu / r.requests) * 10_000 });
          process.stderr.write(`${body} c${connections} ${contender}: ${Math.round(r.requests / (r.micros / 1e6))} req/s p99 ${r.p99}us\n`);
        }
      }
    }
  }
} finally {
  for (const child of children) child.kill();
  await cleanupProjects(docker, [project]);
}
const out = join(HERE, '../results/balancer-haproxy.json');
const entry = {
  name: 'balancer-haproxy',
  title: 'Balancer vs HAProxy (and no proxy)',
  command: `node bench/balancer/vs-haproxy.mjs ${rounds} ${seconds}`,
  machine: { commit: commit() },
  startedAt: started.toISOString(),
  durationMs: Date.now() - started.getTime(),
  result: { rounds, seconds, backends: 'two containers of the node http image on the default bridge', haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0], results },
};
writeFileSync(out, JSON.stringify(entry, null, 2) + '\n');
console.log(`written ${out}`);
