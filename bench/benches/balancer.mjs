// Bench 6, the built-in balancer against Docker's own port publishing (targets: throughput >= 0.8x,
// added p99 latency < 1 ms). The same busybox `httpd` serving a small static page, once as a
// composed service whose published port the daemon balances, once as an identical container that
// the engine publishes itself (`-p 127.0.0.1:PORT:80`: to a loopback address that is the engine's
// userland `docker-proxy`, beside its iptables rules). Same client (bench/balancer/client.mjs, its own
// process), same run, contenders alternating round by round.
//
// The balancer engages only for a service that may run more than one replica
// (compose/balanced-ports.ts: `replicas` > 1 or `autoscale.max` > 1). To compare one replica with one
// container, the service autoscales between 1 and 2 on a CPU target of 1000 % of a core, which two
// cores cannot reach, so it stays at 1 (checked at the end); `interval: 1h` keeps the autoscaler's
// sampling out of the measured windows, as a service with plain `replicas` has none.
//
// busybox httpd answers one request per connection and closes it, so every request is a new
// connection: connect, request, answer up to the close. One client measures latency with nothing
// queued; 16 saturate the two CPUs and measure throughput. Traffic goes only to 127.0.0.1 (and from
// the proxies to the two containers this bench created).
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { cloneOptions, createNetwork } from '../lib/clone.mjs';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { IMAGE, cleanupProjects } from '../lib/engine.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, pollUntil, run as runCommand, uniqueName } from '../lib/util.mjs';

const CLIENT = resolve(import.meta.dirname, '../balancer/client.mjs');
const PAGE = '<html><body><p>composed balancer bench</p></body></html>';
const HTTPD = `mkdir -p /www && echo '${PAGE}' > /www/index.html && exec httpd -f -p 80 -h /www`;
const CONTENDERS = ['composed', 'docker'];
const WARMUP_SECONDS = 1;
const CLOCK_TICKS = 100; // USER_HZ, the unit of utime/stime in /proc/<pid>/stat on Linux

export const meta = { name: 'balancer', title: 'Balancer vs Docker port publishing' };

export async function run({ docker, rounds = 10, seconds = 2, levels = [1, 16] }) {
  const project = trackProject(uniqueName('lb'));
  const engineProject = trackProject(`${project}-engine`);
  const daemon = trackDaemon(await Daemon.create());
  const load = { loadavgAtStart: loadavg().map(round2), otherTestRuns: await vitestCount() };
  const client = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const [composedPort, dockerPort] = await freePorts(2);
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project, composedPort));
    await daemon.start();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);

    // The engine's contender: a clone of composed's replica (same image, command, host config, a
    // user-defined bridge network as composed's), published by the engine.
    const replica = await docker.getContainer(`${project}-web-1`).inspect();
    const network = await createNetwork(docker, engineProject);
    const options = cloneOptions(replica, { name: `${engineProject}-web-1`, project: engineProject, network, restart: 'no' });
    options.ExposedPorts = { '80/tcp': {} };
    options.HostConfig.PortBindings = { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(dockerPort) }] };
    const engineContainer = await docker.createContainer(options);
    await engineContainer.start();

    const ports = { composed: composedPort, docker: dockerPort };
    for (const c of CONTENDERS) {
      const ok = await pollUntil(async () => {
        const r = await measure(client, { port: ports[c], concurrency: 1, seconds: 0.1 });
        return r.requests > 0 && r.errors === 0;
      }, { timeoutMs: 20_000, intervalMs: 200 });
      if (!ok) throw new Error(`${c} does not answer on 127.0.0.1:${ports[c]} within 20 s`);
    }
    // Whose CPU each contender's forwarding costs: the daemon (the balancer runs in it) and the
    // engine's docker-proxy for this port; and each httpd container's, from its cgroup.
    const proxyPid = { composed: daemon.pid, docker: findDockerProxy(dockerPort) };
    const cgroup = { composed: cpuacct(replica.Id), docker: cpuacct(engineContainer.id) };
    log(`balancer: composed on 127.0.0.1:${composedPort}, docker on 127.0.0.1:${dockerPort} (docker-proxy pid ${proxyPid.docker ?? 'not found'})`);

    for (const c of CONTENDERS) await measure(client, { port: ports[c], concurrency: Math.max(...levels), seconds: WARMUP_SECONDS });

    const runs = [];
    const latencies = new Map(); // `${level}/${contender}` -> every request's latency, over all rounds
    for (let round = 0; round < rounds; round++) {
      for (const level of levels) {
        // Alternate which contender goes first, so drift in the machine's other load hits both alike.
        const order = (round + levels.indexOf(level)) % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
        for (const c of order) {
          const proxyBefore = proxyPid[c] ? procSample(proxyPid[c]) : undefined;
          const containerBefore = cgroup[c]?.();
          const r = await measure(client, { port: ports[c], concurrency: level, seconds });
          const proxyAfter = proxyPid[c] ? procSample(proxyPid[c]) : undefined;
          const containerAfter = cgroup[c]?.();
          const own = summarize(r.latencies);
          const key = `${level}/${c}`;
          if (!latencies.has(key)) latencies.set(key, []);
          for (const l of r.latencies) latencies.get(key).push(l);
          runs.push({
            round,
            level,
            contender: c,
            requests: r.requests,
            requestsPerSecond: r.requests / (r.elapsedMs / 1000),
            errors: r.errors,
            firstError: r.firstError,
            p50: own.median,
            p99: own.p99,
            clientCpuMs: r.cpuUs / 1000,
            proxyCpuMs: proxyBefore && proxyAfter ? ((proxyAfter.ticks - proxyBefore.ticks) * 1000) / CLOCK_TICKS : undefined,
            containerCpuMs: containerBefore !== undefined && containerAfter !== undefined ? (containerAfter - containerBefore) / 1e6 : undefined,
          });
        }
      }
      log(`balancer: ${round + 1} of ${rounds} rounds`);
    }

    const status = await daemon.status(project);
    const web = status.services.find((s) => s.name === 'web');
    const figures = { levels: {} };
    for (const level of levels) {
      const per = {};
      for (const c of CONTENDERS) {
        const mine = runs.filter((r) => r.level === level && r.contender === c);
        const requests = mine.reduce((a, r) => a + r.requests, 0);
        const perRequestUs = (field) => (mine.every((r) => r[field] !== undefined) && requests > 0 ? (mine.reduce((a, r) => a + r[field], 0) * 1000) / requests : undefined);
        per[c] = {
          requestsPerSecond: summarize(mine.map((r) => r.requestsPerSecond)),
          latency: summarize(latencies.get(`${level}/${c}`) ?? []),
          requests,
          errors: mine.reduce((a, r) => a + r.errors, 0),
          firstError: mine.find((r) => r.firstError)?.firstError,
          cpuUsPerRequest: { proxy: perRequestUs('proxyCpuMs'), container: perRequestUs('containerCpuMs'), client: perRequestUs('clientCpuMs') },
        };
      }
      figures.levels[level] = {
        ...per,
        throughputRatio: per.composed.requestsPerSecond.median / per.docker.requestsPerSecond.median,
        addedP50Ms: per.composed.latency.median - per.docker.latency.median,
        addedP99Ms: per.composed.latency.p99 - per.docker.latency.p99,
      };
    }
    figures.composedService = {
      desired: web?.desired,
      running: web?.running,
      // Connections the balancer forwarded: every measured, warm-up and readiness request of the composed contender.
      forwarded: (web?.balancer ?? []).flatMap((b) => b.replicas).reduce((a, r) => a + r.total, 0),
      requestsSent: runs.filter((r) => r.contender === 'composed').reduce((a, r) => a + r.requests, 0),
    };
    figures.dockerProxy = proxyPid.docker !== undefined;
    return {
      figures,
      load: { ...load, loadavgAtEnd: loadavg().map(round2) },
      config: { rounds, seconds, levels, warmupSeconds: WARMUP_SECONDS, pageBytes: Buffer.byteLength(`${PAGE}\n`), compose: composeFile('<project>', '<port>'), httpd: HTTPD },
      runs,
    };
  } finally {
    client.kill();
    // The daemon goes first (SIGTERM leaves containers running), then everything goes by label.
    await daemon.stop();
    await cleanupProjects(docker, [project, engineProject]);
  }
}

function composeFile(project, port) {
  return `name: ${project}
services:
  web:
    image: ${IMAGE}
    command: ["sh", "-c", ${JSON.stringify(HTTPD)}]
    ports: ["127.0.0.1:${port}:80"]
    x-composed:
      autoscale: { min: 1, max: 2, cpu: { target: 1000 }, interval: 1h }
`;
}

/** One job for the client process; resolves its answer. */
function measure(client, job) {
  return new Promise((resolveResult, reject) => {
    const onExit = (code) => reject(new Error(`the bench client exited (${code})`));
    client.once('exit', onExit);
    client.once('message', (result) => {
      client.off('exit', onExit);
      resolveResult(result);
    });
    client.send(job);
  });
}

/** Ports free on 127.0.0.1 now (the kernel's choice); both contenders bind theirs right after. */
async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((ok, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen({ host: '127.0.0.1', port: 0 }, () => ok(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/** The engine's userland proxy for a host port, or undefined (userland-proxy disabled). */
function findDockerProxy(port) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0].endsWith('docker-proxy') && args[args.indexOf('-host-port') + 1] === String(port)) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** A reader of a container's CPU time (ns) from its cgroup v1 cpuacct, or undefined elsewhere. */
function cpuacct(id) {
  const file = `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`;
  return existsSync(file) ? () => Number(readFileSync(file, 'utf8')) : undefined;
}

async function vitestCount() {
  const r = await runCommand('pgrep', ['-fc', 'vitest']);
  return Number(r.stdout.trim()) || 0;
}

const round2 = (v) => Math.round(v * 100) / 100;
