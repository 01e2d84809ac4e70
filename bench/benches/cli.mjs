// Bench 7, CLI latency: each command that only asks the daemon (`ps`, `status`, `ls`, `port`,
// `logs -n`), timed as a whole process by hyperfine, beside the same request sent raw with
// `curl --unix-socket`; and `composed --version` beside bare `node -e 0`. The figure is the time the
// CLI adds to the daemon's answer (median minus median), target <= 100 ms. Contenders take turns in
// rounds, so a burst of load on the shared machine hits both.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, Daemon } from '../lib/daemon.mjs';
import { cleanupProjects, EXIT_ON_TERM, IMAGE } from '../lib/engine.mjs';
import { trackDaemon, trackProject } from '../lib/registry.mjs';
import { summarize } from '../lib/stats.mjs';
import { log, uniqueName } from '../lib/util.mjs';

const ROUNDS = 5;
const RUNS_PER_ROUND = 10;
const TARGET_ADDED_MS = 100;

export const meta = { name: 'cli', title: 'CLI latency' };

export async function run({ docker }) {
  ensureHyperfine();
  const project = trackProject(uniqueName('cli'));
  const daemon = trackDaemon(await Daemon.create());
  try {
    const file = join(daemon.dir, 'compose.yaml');
    await writeFile(file, composeFile(project));
    await daemon.start();
    const up = await daemon.cli(['up', '-f', file, '--wait', '-q']);
    if (up.code !== 0) throw new Error(`composed up failed: ${up.stderr}${up.stdout}`);
    const cli = (...args) => `${process.execPath} -- ${CLI} ${args.join(' ')}`;
    const curl = (path) => `curl -sf --unix-socket ${daemon.socket} http://composed${path}`;
    const pairs = [
      { command: 'ps', composed: cli('-p', project, 'ps'), socket: curl(`/v1/projects/${project}/containers`) },
      { command: 'status', composed: cli('-p', project, 'status'), socket: curl(`/v1/projects/${project}/status`) },
      { command: 'ls', composed: cli('ls'), socket: curl('/v1/projects') },
      { command: 'port web 80', composed: cli('-p', project, 'port', 'web', '80'), socket: curl(`/v1/projects/${project}/containers`) },
      { command: 'logs -n 10', composed: cli('-p', project, 'logs', '-n', '10'), socket: curl(`/v1/projects/${project}/log-entries?tail=10`) },
      { command: '--version', composed: cli('--version'), socket: `${process.execPath} -e 0`, reference: 'bare `node -e 0`' },
    ];
    // By position in the command list: two pairs may send the same raw request.
    const commands = pairs.flatMap((p) => [p.composed, p.socket]);
    const times = commands.map(() => []);
    const dir = await mkdtemp(join(tmpdir(), 'composed-bench-cli-'));
    for (let round = 1; round <= ROUNDS; round++) {
      const out = join(dir, `round-${round}.json`);
      execFileSync('hyperfine', ['-N', '--warmup', '2', '--runs', String(RUNS_PER_ROUND), '--export-json', out, ...commands], {
        env: { ...process.env, COMPOSED_SOCKET: daemon.socket },
        stdio: 'ignore',
      });
      JSON.parse(await readFile(out, 'utf8')).results.forEach((r, i) => times[i].push(...r.times.map((s) => s * 1000)));
      log(`cli: round ${round}/${ROUNDS} done`);
    }
    const figures = pairs.map((p, i) => {
      const composed = summarize(times[2 * i]);
      const socket = summarize(times[2 * i + 1]);
      return { command: p.command, reference: p.reference ?? '`curl --unix-socket` of the same request', composed, socket, addedMs: composed.median - socket.median };
    });
    return {
      config: { rounds: ROUNDS, runsPerRound: RUNS_PER_ROUND, targetAddedMs: TARGET_ADDED_MS, hyperfine: execFileSync('hyperfine', ['--version'], { encoding: 'utf8' }).trim() },
      figures: { commands: figures },
    };
  } finally {
    await daemon.stop();
    await cleanupProjects(docker, [project]);
  }
}

function ensureHyperfine() {
  try {
    execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
  } catch {
    log('installing Debian hyperfine (apt-get install -y hyperfine)');
    execFileSync('apt-get', ['install', '-y', 'hyperfine'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
}

function composeFile(project) {
  const service = (name, extra = '') => `  ${name}:\n    image: ${IMAGE}\n    command: ["sh", "-c", "echo ${name} started; ${EXIT_ON_TERM}"]\n${extra}`;
  return `name: ${project}\nservices:\n${service('web', '    ports: ["127.0.0.1::80"]\n')}${service('worker', '    deploy: { replicas: 3 }\n')}${service('cache')}`;
}
