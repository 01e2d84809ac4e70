// The other design, measured: HAProxy carrying the bytes while a supervisor drives it through its
// runtime API (a unix socket), as composed would. HAProxy starts with empty slots
// (`server-template`, all in maintenance); the script then does what the daemon does on a roll-out:
// puts a backend in a slot, sends traffic, drains the slot, reads each slot's counters, sets a
// canary weight. It times each command and checks that traffic follows. Backends are two
// fast-backend.mjs processes on 127.0.0.1; nothing leaves 127.0.0.1.
// Usage: node bench/balancer/haproxy-runtime-api.mjs   (writes bench/results/haproxy-runtime-api.json)
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '../lib/stats.mjs';

const HERE = import.meta.dirname;
const FRONT = 18095;
const BACKENDS = [18181, 18182];
const SLOTS = 10;
const REPEATS = 200;

/** One runtime API command on a fresh connection (HAProxy's non-interactive mode); its answer. */
function command(socketPath, line) {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer));
    socket.write(`${line}\n`);
  });
}

async function timed(socketPath, line) {
  const t = performance.now();
  const answer = await command(socketPath, line);
  return { ms: performance.now() - t, answer };
}

/** `show stat` as rows of named fields (the CSV's header is `# pxname,svname,...`). */
function parseStat(csv) {
  const [header, ...lines] = csv.trim().split('\n');
  const names = header.replace(/^# /, '').split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v])));
}

function forkReady(script, args) {
  const child = fork(join(HERE, script), args.map(String), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => { child.once('message', () => resolve(child)); child.once('exit', (code) => reject(new Error(`${script} exited ${code}`))); });
}

function get(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => resolve(undefined));
    socket.on('end', () => resolve(answer));
    socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bench-haproxy-api-'));
const socketPath = join(dir, 'admin.sock');
writeFileSync(join(dir, 'haproxy.cfg'), [
  'global', `  stats socket ${socketPath} mode 600 level admin`, '  maxconn 4000',
  'defaults', '  mode tcp', '  timeout connect 2s', '  timeout client 60s', '  timeout server 60s', '  timeout queue 5s',
  'frontend fe', `  bind 127.0.0.1:${FRONT}`, '  default_backend be',
  // Slots with no address, in maintenance: what the daemon fills as replicas become ready.
  'backend be', '  balance leastconn', `  server-template web 1-${SLOTS} 127.0.0.1:1 disabled`, '',
].join('\n'));
const backends = await Promise.all(BACKENDS.map((p) => forkReady('fast-backend.mjs', [p])));
// Its log (a line per state change, 400 of them here) is not wanted; a failure to start shows as no answer.
const haproxy = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: 'ignore' });
const figures = {};
try {
  for (let i = 0; i < 50 && !(await command(socketPath, 'show info').catch(() => '')).includes('Name: HAProxy'); i++) await new Promise((r) => setTimeout(r, 100));
  const before = await get(FRONT);
  // A replica becomes ready: its address into a slot, then the slot into rotation.
  const addSlot = [];
  const enable = [];
  for (let n = 0; n < REPEATS; n++) {
    const slot = `be/web${(n % 2) + 1}`;
    addSlot.push((await timed(socketPath, `set server ${slot} addr 127.0.0.1 port ${BACKENDS[n % 2]}`)).ms);
    enable.push((await timed(socketPath, `set server ${slot} state ready`)).ms);
  }
  const served = await get(FRONT);
  // Draining a replica: no new connections, the open ones finish; the counters tell when none is left.
  const drain = [];
  const stat = [];
  let drainedShown;
  for (let n = 0; n < REPEATS; n++) {
    drain.push((await timed(socketPath, 'set server be/web2 state drain')).ms);
    const s = await timed(socketPath, 'show stat -1 4 -1');
    stat.push(s.ms);
    drainedShown ??= parseStat(s.answer).find((r) => r.svname === 'web2')?.status;
    await command(socketPath, 'set server be/web2 state ready');
  }
  // A canary: one slot at a tenth of the weight of the other.
  const weight = [];
  for (let n = 0; n < REPEATS; n++) weight.push((await timed(socketPath, 'set weight be/web2 10%')).ms);
  const rows = parseStat(await command(socketPath, 'show stat -1 4 -1'));
  figures.commands = {
    'set server addr': summarize(addSlot),
    'set server state ready': summarize(enable),
    'set server state drain': summarize(drain),
    'show stat (per-server counters)': summarize(stat),
    'set weight': summarize(weight),
  };
  figures.checks = {
    beforeAnySlot: before === '' || before === undefined ? 'connection closed: no server in rotation' : 'answered',
    afterReady: served?.startsWith('HTTP/1.1 200') ? 'answered 200' : `not served: ${JSON.stringify(served?.slice(0, 40))}`,
    drainShownAs: drainedShown,
    countersPerSlot: rows.filter((r) => r.svname.startsWith('web')).slice(0, 2).map((r) => ({ slot: r.svname, status: r.status, weight: r.weight, scur: r.scur, stot: r.stot, econ: r.econ, eresp: r.eresp, qcur: r.qcur })),
  };
} finally {
  haproxy.kill();
  for (const b of backends) b.kill();
}
const entry = {
  name: 'haproxy-runtime-api',
  title: 'HAProxy driven through its runtime API',
  command: 'node bench/balancer/haproxy-runtime-api.mjs',
  startedAt: new Date().toISOString(),
  haproxy: execFileSync('haproxy', ['-v'], { encoding: 'utf8' }).split('\n')[0],
  repeats: REPEATS,
  ...figures,
};
writeFileSync(join(HERE, '../results/haproxy-runtime-api.json'), JSON.stringify(entry, null, 2) + '\n');
console.log(JSON.stringify(entry, null, 2));
