// Bench 8, the dashboard's cost: the overhead bench's 100 idle containers (80 plain, 20 autoscaled);
// the daemon's CPU and RSS over 60 s without `--http` (the same machine's baseline, at the same
// time), then restarted with `--http` (it adopts the containers; the history now samples every
// service) over 60 s with no page open, then over 60 s with the project's page open: one
// server-sent-events stream as a browser holds it (a refresh every 5 s of 100 replicas, the events
// as they come), plus the page of an autoscaled service (its plots' history) beside it.
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Daemon, procSample } from '../lib/daemon.mjs';
import { cleanupProjects } from '../lib/engine.mjs';
import { idleComposeFile } from '../lib/idle-project.mjs';
import { clockTicksPerSecond, sampleWindow } from '../lib/proc.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { log, nowMs, sleep, uniqueName } from '../lib/util.mjs';

const WINDOW_MS = 60_000;
const SETTLE_MS = 15_000;
const OPEN_SETTLE_MS = 5_000;
const SAMPLE_EVERY_MS = 5_000;

export const meta = { name: 'dashboard', title: 'Dashboard cost' };

function freePort() {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** Holds one /live stream open as a browser would; counts what arrives. */
function openStream(port, token, query) {
  const stats = { bytes: 0, fragments: 0, histories: 0 };
  const req = request({ host: '127.0.0.1', port, path: `/live?${new URLSearchParams(query)}`, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) throw new Error(`/live answered ${res.statusCode}`);
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      stats.bytes += Buffer.byteLength(chunk);
      stats.fragments += chunk.split('event: fragment').length - 1;
      stats.histories += chunk.split('event: history').length - 1;
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { stats, close: () => req.destroy() };
}

export async function run({ docker }) {
  const project = trackProject(uniqueName('dashboard'));
  const daemon = trackDaemon(await Daemon.create());
  const ticks = clockTicksPerSecond();
  const port = await freePort();
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, idleComposeFile(project, { plain: 80, scaled: 4 }));
    await daemon.start();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q', '--wait-timeout', '5m']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    log(`dashboard: 100 containers up; settling ${SETTLE_MS / 1000} s, then ${WINDOW_MS / 1000} s without --http, ${WINDOW_MS / 1000} s closed and ${WINDOW_MS / 1000} s open`);
    await sleep(SETTLE_MS);
    const without = await sampleWindow(daemon.pid, { ms: WINDOW_MS, everyMs: SAMPLE_EVERY_MS, ticks });
    await daemon.stop();
    await daemon.start({ args: ['--http', `127.0.0.1:${port}`] });
    const token = (await readFile(join(daemon.stateDir, 'http-token'), 'utf8')).trim();
    await sleep(SETTLE_MS);
    const closed = await sampleWindow(daemon.pid, { ms: WINDOW_MS, everyMs: SAMPLE_EVERY_MS, ticks });

    const streams = [openStream(port, token, { view: 'project', project }), openStream(port, token, { view: 'service', project, service: 'scaled1' })];
    await sleep(OPEN_SETTLE_MS);
    const before = streams.map((s) => ({ ...s.stats }));
    const t0 = nowMs();
    const open = await sampleWindow(daemon.pid, { ms: WINDOW_MS, everyMs: SAMPLE_EVERY_MS, ticks });
    const seconds = (nowMs() - t0) / 1000;
    const received = streams.map((s, i) => ({ bytesPerSecond: (s.stats.bytes - before[i].bytes) / seconds, fragments: s.stats.fragments - before[i].fragments, histories: s.stats.histories - before[i].histories }));
    for (const s of streams) s.close();
    const phase = (w) => ({ cpuPercentOfOneCore: w.cpuPercent, rssMbMax: Math.max(...w.samples.map((s) => s.rssKb)) / 1024, seconds: w.seconds });
    return {
      figures: { containers: 100, withoutHttp: phase(without), closed: phase(closed), open: phase(open), rssMbAtEnd: procSample(daemon.pid).rssKb / 1024, streams: { project: received[0], service: received[1] } },
      config: { windowMs: WINDOW_MS, settleMs: SETTLE_MS, openSettleMs: OPEN_SETTLE_MS, sampleEveryMs: SAMPLE_EVERY_MS },
    };
  } finally {
    await daemon.stop();
    await cleanupProjects(docker, [project]);
  }
}
