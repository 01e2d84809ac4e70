// Balancer overhead: many small HTTP requests straight to one local backend versus through the
// TcpBalancer to that same backend. Same client, same backend process, runs alternating, for two
// client patterns: keep-alive connections and one new connection per request.
//
// Three processes, as in production: the backend (a node:http server), the balancer (as the daemon
// hosts it) and this client. Each reports nothing but what the client measures: requests answered
// per second and the latency of each request (send to last byte; connect included when each request
// opens its own connection).
//
//   npx tsc -p bench/balancer/tsconfig.json   # compiles only src/daemon/balancer to dist/ (or: npm run build)
//   node bench/balancer/run.mjs [--seconds 1.5] [--rounds 3] [--concurrency 1,16]
//
// Each concurrency level is a case: 1 client shows the latency a request gains with nothing queued,
// 16 clients saturate the CPUs and show throughput. Prints a markdown table; takes about
// rounds x levels x 2 patterns x 2 targets x seconds, plus 3 s (40 s with the defaults).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { summarize } from '../lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const BALANCER = resolve(import.meta.dirname, '../../dist/daemon/balancer/tcp-balancer.js');
const BODY = 'ok\n';
const MODES = [
  { name: 'keep-alive', request: 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n', perConnection: false },
  { name: 'new connection per request', request: 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n', perConnection: true },
];

const role = process.argv[2];
if (role === '--backend') await serveBackend();
else if (role === '--balancer') await serveBalancer(Number(process.argv[3]));
else await main();

// ---- the two servers, each in its own process; they send their port to the parent over IPC ----

async function serveBackend() {
  const server = createServer((req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  server.listen({ host: '127.0.0.1', port: 0 }, () => process.send({ port: server.address().port }));
}

async function serveBalancer(backendPort) {
  const { pino } = await import('pino');
  const { TcpBalancer } = await import(BALANCER);
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const balancer = new TcpBalancer({ listenHost: '127.0.0.1', listenPort: 0, logger });
  await balancer.start();
  balancer.setBackends([{ id: 'bench#1', host: '127.0.0.1', port: backendPort }]);
  process.send({ port: balancer.port });
  // CPU time lets the table say what each forwarded request costs the daemon.
  process.on('message', () => process.send({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss }));
}

function start(args) {
  const child = fork(SELF, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolvePort, reject) => {
    child.once('message', ({ port }) => resolvePort({ child, port }));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

function ask(child) {
  return new Promise((resolveUsage) => {
    child.once('message', resolveUsage);
    child.send('usage');
  });
}

// ---- the client ----

/**
 * One client lane: sends `request`, waits for the whole response (Content-Length framing) and
 * repeats until `deadline`, on one connection (keep-alive) or on a new one each time (latency then
 * includes the connect). Returns how many attempts failed.
 */
async function clientLoop(port, mode, deadline, latencies) {
  let errors = 0;
  while (performance.now() < deadline) {
    const started = performance.now();
    let socket;
    try {
      socket = await open(port);
      if (mode.perConnection) {
        await exchange(socket, mode.request);
        latencies.push(performance.now() - started);
      } else {
        while (performance.now() < deadline) {
          const sent = performance.now();
          await exchange(socket, mode.request);
          latencies.push(performance.now() - sent);
        }
      }
    } catch {
      errors += 1;
    } finally {
      socket?.destroy();
    }
  }
  return errors;
}

function open(port) {
  return new Promise((resolveSocket, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolveSocket(socket);
    });
    socket.once('error', reject);
  });
}

/** Write one request and resolve when its response has fully arrived. */
function exchange(socket, request) {
  return new Promise((resolveExchange, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffered.subarray(0, headerEnd).toString('latin1'))?.[1]);
      if (buffered.length < headerEnd + 4 + length) return;
      done();
      resolveExchange();
    };
    const onEnd = () => {
      done();
      reject(new Error('connection closed before the response was complete'));
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onEnd);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onEnd);
    socket.write(request);
  });
}

async function measure(port, mode, seconds, concurrency) {
  const latencies = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const errors = await Promise.all(Array.from({ length: concurrency }, () => clientLoop(port, mode, deadline, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  return { requests: latencies.length, elapsed, latencies, errors: errors.reduce((a, b) => a + b, 0) };
}

// ---- the run ----

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '1.5' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '1,16' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const levels = values.concurrency.split(',').map(Number);
  if (!existsSync(BALANCER)) {
    console.error(`${BALANCER} is missing: run \`npx tsc -p bench/balancer/tsconfig.json\` (or npm run build) first`);
    process.exit(1);
  }

  const backend = await start(['--backend']);
  const balancer = await start(['--balancer', String(backend.port)]);
  const targets = { direct: backend.port, balancer: balancer.port };
  const cases = levels.flatMap((concurrency) => MODES.map((mode) => ({ concurrency, mode })));
  const totals = new Map(); // case key + target -> {requests, elapsed, latencies, errors, cpuMs, rss}

  try {
    for (const mode of MODES) {
      await measure(targets.direct, mode, 0.5, Math.max(...levels)); // warm-up, not counted
      await measure(targets.balancer, mode, 0.5, Math.max(...levels));
    }
    for (let round = 0; round < rounds; round++) {
      for (const { concurrency, mode } of cases) {
        // Alternate which target goes first so drift (other load on the host) hits both alike.
        const order = round % 2 === 0 ? ['direct', 'balancer'] : ['balancer', 'direct'];
        for (const target of order) {
          const before = await ask(balancer.child);
          const run = await measure(targets[target], mode, seconds, concurrency);
          const after = await ask(balancer.child);
          const key = `${concurrency}/${mode.name}/${target}`;
          const total = totals.get(key) ?? { requests: 0, elapsed: 0, latencies: [], errors: 0, cpuMs: 0, rss: 0 };
          total.requests += run.requests;
          total.elapsed += run.elapsed;
          for (const latency of run.latencies) total.latencies.push(latency);
          total.errors += run.errors;
          total.cpuMs += (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
          total.rss = Math.max(total.rss, after.rss);
          totals.set(key, total);
        }
      }
    }
  } finally {
    backend.child.kill();
    balancer.child.kill();
  }

  console.log(report(totals, cases, { seconds, rounds }));
}

function report(totals, cases, { seconds, rounds }) {
  const fmt = (n, digits = 2) => n.toFixed(digits);
  const lines = [
    `Balancer overhead: ${rounds} alternating rounds x ${seconds} s per target and case; node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)} at the end.`,
    '',
    '| clients | pattern | target | req/s | p50 ms | p99 ms | errors | balancer CPU µs/req |',
    '|---:|---|---|---:|---:|---:|---:|---:|',
  ];
  const verdicts = [];
  let rss = 0;
  for (const { concurrency, mode } of cases) {
    const rows = {};
    for (const target of ['direct', 'balancer']) {
      const t = totals.get(`${concurrency}/${mode.name}/${target}`);
      const stats = summarize(t.latencies);
      rows[target] = { rps: t.requests / t.elapsed, p50: stats.median, p99: stats.p99 };
      const cpu = target === 'balancer' ? fmt((t.cpuMs * 1000) / t.requests, 1) : '-';
      if (target === 'balancer') rss = Math.max(rss, t.rss);
      lines.push(
        `| ${concurrency} | ${mode.name} | ${target} | ${Math.round(rows[target].rps)} | ${fmt(stats.median, 3)} | ${fmt(stats.p99, 3)} | ${t.errors} | ${cpu} |`,
      );
    }
    verdicts.push(
      `- ${concurrency} client(s), ${mode.name}: throughput ${fmt(rows.balancer.rps / rows.direct.rps)}x direct, ` +
        `added p50 ${fmt(rows.balancer.p50 - rows.direct.p50, 3)} ms, added p99 ${fmt(rows.balancer.p99 - rows.direct.p99, 3)} ms`,
    );
  }
  return [
    ...lines,
    '',
    'Issue 10 targets (there against Docker port publishing): throughput >= 0.8x, added p99 < 1 ms.',
    ...verdicts,
    `- balancer process RSS at most ${fmt(rss / 1024 / 1024, 0)} MiB`,
  ].join('\n');
}
