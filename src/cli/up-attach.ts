// What `up` without -d does under a supervisor: on a terminal it follows the services' logs until
// Ctrl-C, which detaches (the containers are the daemon's, not this process's); anywhere else it
// returns at once, so `composed up` in a script or CI job never blocks forever.
import type { DaemonClient } from './client.js';
import { projectPath } from './common.js';

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
  try {
    const query = new URLSearchParams({ follow: 'true', tail: '0' });
    const wanted = new Set(services);
    for await (const chunk of client.stream(projectPath(project, `/logs?${query}`), { signal: abort.signal })) {
      if (wanted.size === 0) process.stdout.write(chunk);
      else process.stdout.write(chunk.split('\n').filter((l) => wanted.has(serviceOfLine(project, l))).map((l) => `${l}\n`).join(''));
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', detach);
  }
  process.stderr.write(`detached: the daemon keeps ${project} running (\`composed down\` stops it, \`composed logs -f\` follows it again)\n`);
}

/** `<project>-<service>-<n> | text` -> service. */
function serviceOfLine(project: string, line: string): string {
  const name = line.split(' | ', 1)[0] ?? '';
  return name.slice(project.length + 1).replace(/-\d+$/, '');
}
