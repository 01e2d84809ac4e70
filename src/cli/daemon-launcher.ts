// `composed up` with no daemon answering starts one in the background, as `docker compose` users
// expect a single command to work. Its log goes to a file next to the state, and the CLI says where.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultStateDir } from '../protocol/api.js';
import type { DaemonClient } from './client.js';

export async function ensureDaemon(client: DaemonClient, say: (line: string) => void): Promise<void> {
  if (await client.ping()) return;
  const stateDir = defaultStateDir();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const logFile = join(stateDir, 'daemon.log');
  const out = openSync(logFile, 'a');
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawn(process.execPath, [main, 'daemon', '--socket', client.socketPath, '--state-dir', stateDir], {
    detached: true,
    stdio: ['ignore', out, out],
    env: daemonEnvironment(process.env),
  });
  child.unref();
  say(`started a composed daemon in the background (pid ${child.pid}); log: ${logFile}`);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await client.ping()) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the daemon did not answer on ${client.socketPath}; see ${logFile}`);
}

/**
 * What a daemon started from a shell keeps of it: how to reach the engine, where its files go, the
 * locale and proxies. Not the rest (tokens, keys): the daemon outlives the shell by far.
 */
const DAEMON_VARIABLES = /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z]+|TZ|TMPDIR|XDG_[A-Z_]+|DOCKER_[A-Z_]+|CONTAINER_HOST|COMPOSED_[A-Z_]+|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR)|(HTTPS?|NO)_PROXY|(https?|no)_proxy)$/;

export function daemonEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => DAEMON_VARIABLES.test(name)));
}
