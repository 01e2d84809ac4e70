// What `up` without -d does under a supervisor: on a terminal it follows the services' logs until
// Ctrl-C, which detaches (the containers are the daemon's, not this process's); anywhere else it
// returns at once, so `composed up` in a script or CI job never blocks forever.
import type { LogLine } from '../protocol/compose-containers.js';
import type { DaemonClient } from './client.js';
import { projectPath } from './common.js';
import { colourWanted } from './render/colour.js';
import { LogPrinter } from './render/log-printer.js';

export function shouldAttach(stdinTty: boolean | undefined, stdoutTty: boolean | undefined, env: NodeJS.ProcessEnv): { attach: true } | { attach: false; why: string } {
  if (env.CI) return { attach: false, why: 'CI is set' };
  if (!stdoutTty) return { attach: false, why: 'stdout is not a terminal' };
  if (!stdinTty) return { attach: false, why: 'stdin is not a terminal' };
  return { attach: true };
}

export async function attachToLogs(client: DaemonClient, project: string, services: string[]): Promise<void> {
  const abort = new AbortController();
  const detach = (): void => abort.abort();
  process.once('SIGINT', detach);
  process.stderr.write(`attached to the logs of ${project}; Ctrl-C detaches, the daemon keeps the services running\n`);
  const printer = new LogPrinter({ prefix: true, timestamps: false, colour: colourWanted() });
  try {
    const query = new URLSearchParams({ follow: 'true', tail: '0' });
    for (const s of services) query.append('service', s);
    for await (const line of client.lines<LogLine>(projectPath(project, `/log-entries?${query}`), { signal: abort.signal })) process.stdout.write(printer.format(line));
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', detach);
  }
  process.stderr.write(`detached: the daemon keeps ${project} running (\`composed down\` stops it, \`composed logs -f\` follows it again)\n`);
}
