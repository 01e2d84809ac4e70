// `composed logs --previous SERVICE`: the output a replaced container printed, kept by the daemon
// after it removed the container (as `kubectl logs --previous`).
import type { PreviousLogs } from '../../protocol/memory.js';
import { clientFor, projectNameFor, projectPath, UsageError, type ProjectOptions } from '../common.js';

export interface PreviousOptions extends ProjectOptions {
  /** true for `--previous`, else its value (`--previous=2`); commander gives `--previous web` the service as value. */
  previous: string | true;
  index?: string;
  logPrefix?: boolean;
}

export async function printPreviousLogs(services: string[], options: PreviousOptions): Promise<void> {
  let nth = 1;
  const named = [...services];
  if (typeof options.previous === 'string') {
    if (/^[1-9]\d*$/.test(options.previous)) nth = Number(options.previous);
    else if (/^\d+$/.test(options.previous)) throw new UsageError(`--previous: ${JSON.stringify(options.previous)} is not 1 (the last replaced container) or more`);
    else named.unshift(options.previous);
  }
  if (named.length !== 1) throw new UsageError('--previous shows one service\'s replaced container: name exactly one service');
  const query = new URLSearchParams({ previous: String(nth) });
  if (options.index) query.set('index', options.index);
  const project = await projectNameFor(options);
  const kept = await clientFor(options).json<PreviousLogs>(projectPath(project, `/services/${encodeURIComponent(named[0]!)}/previous-logs?${query}`));
  const prefix = options.logPrefix === false ? '' : `${kept.service}-${kept.replica} | `;
  process.stderr.write(`container ${kept.containerId.slice(0, 12)} of ${kept.service}-${kept.replica}, replaced ${kept.keptAt} (${kept.previous} of ${kept.kept} kept)${kept.truncated ? '; its earlier output was cut' : ''}\n`);
  for (const line of kept.lines) process.stdout.write(`${prefix}${line}\n`);
}
