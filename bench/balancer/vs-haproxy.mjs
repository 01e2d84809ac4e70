// composed's balancer against HAProxy and against no proxy at all, on 127.0.0.1 only.
// Two fast backends (fast-backend.mjs, node http, no fork per request); HAProxy 2.6 from Debian
// (`apt-get install haproxy wrk`; this script installs them when missing) in `mode tcp`,
// `balance leastconn`, in front of the same two; "direct" is wrk straight to one backend. wrk -t1
// at 1, 16, 64 and 256 connections, keep-alive, short page and 1 MiB body; contenders alternate
// within each round so the host's noise (2 shared cores) hits all of them. CPU per proxy from
// /proc/<pid>/stat (utime + stime) over each window, as seconds per 10k requests.
// Usage: node bench/balancer/vs-haproxy.mjs [rounds] [seconds]   (after `npm run build`)
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    'backend be', '  balance leastconn', ...backends.map((p, i) => `  server web${i + 1} 127.0.0.1:${p}`), '',
  ].join('\n'));
  const child = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code) => code && console.error(`haproxy exited ${code}`));
  await waitForPort(port);
  return child;
}

async function waitForPort(port) {
  for (let i = 0; i < 30; i++) {
    try { execFileSync('wrk', ['-t1', '-c1', '-d1s', `http://127.0.0.1:${port}/`], { stdio: 'ignore' }); return; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  throw new Error(`nothing answers on ${port}`);
}

function wrk(port, path, connections) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(HERE, 'percentiles.lua'), `http://127.0.0.1:${port}${path}`], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1));
}

ensureTools();
const backendPorts = [18081, 18082];
const ports = { composed: 18090, haproxy: 18091, direct: backendPorts[0] };
const backends = await Promise.all(backendPorts.map((p) => forkReady('fast-backend.mjs', [p])));
const composed = await forkReady('composed-balancer.mjs', [ports.composed, ...backendPorts]);
const haproxy = await startHaproxy(ports.haproxy, backendPorts);
const pids = { composed: composed.pid, haproxy: haproxy.pid, direct: undefined };
const results = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const [body, path] of Object.entries(BODIES)) {
      for (const connections of LEVELS) {
        const order = round % 2 === 0 ? ['composed', 'haproxy', 'direct'] : ['direct', 'haproxy', 'composed'];
        for (const contender of order) {
          const pid = pids[contender];
          const before = pid ? cpuSeconds(pid) : 0;
          const r = wrk(ports[contender], path, connections);
          const cpu = pid ? cpuSeconds(pid) - before : undefined;
          results.push({ round, body, connections, contender, ...r, rps: r.requests / (r.micros / 1e6), cpuPer10k: cpu === undefined ? undefined : (cpu / r.requests) * 10_000 });
          process.stderr.write(`${body} c${connections} ${contender}: ${Math.round(r.requests / (r.micros / 1e6))} req/s p99 ${r.p99}us\n`);
        }
      }
    }
  }
} finally {
  for (const child of [composed, haproxy, ...backends]) child.kill();
}
const out = join(HERE, '../results/balancer-haproxy.json');
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), rounds, seconds, results }, null, 2));
console.log(`written ${out}`);
