// `composed logs -f`: follows every replica of a project (or one service) and keeps following
// through replacements and scale-ups. The engine ends a log stream when its container stops, so
// the follower looks for containers it has not followed yet and attaches to them from their first
// line, under the same replica-name prefix.
import { LABEL_SERVICE } from '../core/labels.js';
import { collectObserved } from '../core/observed.js';
import type { SupervisorParts } from '../supervisor/parts.js';
import type { ContainerSummary } from '../ports/runtime.js';

const LOOK_AGAIN_MS = 300;

export interface FollowOptions {
  project: string;
  service?: string;
  /** Lines of history from each replica that runs when following starts. */
  tail: number;
  signal: AbortSignal;
  write: (line: string) => void;
}

export async function followProjectLogs({ controller, runtime, clock }: Pick<SupervisorParts, 'controller' | 'runtime' | 'clock'>, options: FollowOptions): Promise<void> {
  const followed = new Set<string>();
  const streams = new Set<Promise<void>>();
  let first = true;
  while (!options.signal.aborted) {
    const listing = await controller.listProject(options.project).catch(() => [] as ContainerSummary[]);
    for (const container of replicaContainers(options.project, listing, options.service)) {
      if (followed.has(container.id)) continue;
      followed.add(container.id);
      // History only for what already ran when `logs -f` started; a successor is shown from its start.
      const tail = first ? options.tail : undefined;
      const stream = (async () => {
        for await (const line of runtime.followLogs(container.id, { tail, signal: options.signal })) options.write(`${container.name} | ${line}`);
      })()
        .catch(() => {
          followed.delete(container.id); // broken off (engine restart): attach again next look
        })
        .finally(() => streams.delete(stream));
      streams.add(stream);
    }
    first = false;
    await clock.sleep(LOOK_AGAIN_MS, options.signal).catch(() => undefined);
  }
  await Promise.allSettled([...streams]);
}

/** The containers holding replica names (not roll-out surges or leftovers), sorted by name. */
export function replicaContainers(project: string, listing: ContainerSummary[], service?: string): ContainerSummary[] {
  const services = [...new Set(listing.map((c) => c.labels[LABEL_SERVICE] ?? ''))].filter((s) => s && (!service || s === service));
  return services
    .flatMap((s) => [...collectObserved(project, s, listing.filter((c) => c.labels[LABEL_SERVICE] === s), new Map()).replicas.values()])
    .map((r) => r.container)
    .sort((a, b) => a.name.localeCompare(b.name));
}
