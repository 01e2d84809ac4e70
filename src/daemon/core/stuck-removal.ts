// Old containers the engine could not remove. The replica never waits for them: the executor moves
// such a container aside (steppedAsideName) and creates the successor under the replica's name at
// once. What is left is retrying the removal in the background, with a backoff of its own, and
// saying so in status and events. Kubernetes never meets this because a new pod never reuses the
// old name; compose names are reused, so the old container has to move out of the way.
//
// Seen on Docker 20.10 (overlay2) after dockerd was SIGKILLed: the container stays `removing`, then
// `dead`, and every `docker rm -f` answers `driver "overlay2" failed to remove root filesystem:
// unlinkat …/merged: device or resource busy`, while `docker rename` of it works and a new container
// can take its old name. The same happens when a file in its upper layer is immutable (`chattr +i`),
// which is how the tests reproduce it.
import type { ContainerSummary } from '../ports/runtime.js';
import { LABEL_NUMBER } from './labels.js';
import type { Operation } from './plan.js';

export interface StuckRemoval {
  /** The container's name once moved aside. */
  name: string;
  /** Failed removals so far (the one that made it step aside included). */
  tries: number;
  /** The engine's last answer. */
  error: string;
  /** Epoch ms of the next try. */
  retryAt: number;
}

/** Backoff between tries: 1 s doubling, at most 5 minutes. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

export function retryDelayMs(tries: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, tries - 1));
}

/** What is known about a container just moved aside after a failed removal. */
export function steppedAside(name: string, error: string, now: number): StuckRemoval {
  return { name, tries: 1, error, retryAt: now + retryDelayMs(1) };
}

/** Another try failed. */
export function removalFailedAgain(entry: StuckRemoval, error: string, now: number): StuckRemoval {
  const tries = entry.tries + 1;
  return { ...entry, tries, error, retryAt: now + retryDelayMs(tries) };
}

export interface StuckPlan {
  ops: Operation[];
  /** The entries of the containers still there, by container id (the others are gone). */
  memory: Record<string, StuckRemoval>;
  /** The earliest try not yet due. */
  nextAt?: number;
}

/** The removals due now among the stuck containers of one service. */
export function planStuckRemovals(service: string, stuck: readonly ContainerSummary[], memory: Readonly<Record<string, StuckRemoval>>, now: number): StuckPlan {
  const ops: Operation[] = [];
  const kept: Record<string, StuckRemoval> = {};
  let nextAt: number | undefined;
  for (const container of stuck) {
    // Moved aside by an earlier daemon whose memory is lost: its first try is due now.
    const entry = memory[container.id] ?? { name: container.name, tries: 0, error: '', retryAt: now };
    kept[container.id] = entry;
    if (entry.retryAt <= now) {
      const number = Number(container.labels[LABEL_NUMBER]);
      ops.push({ kind: 'remove-stuck', service, number, containerId: container.id, cause: `retry removing ${container.name} (${entry.tries} failed so far)` });
    } else {
      nextAt = nextAt === undefined ? entry.retryAt : Math.min(nextAt, entry.retryAt);
    }
  }
  return { ops, memory: kept, nextAt };
}

/** The warning status shows for a stuck container. */
export function stuckWarning(entry: StuckRemoval, now: number): string {
  const tries = `${entry.tries} ${entry.tries === 1 ? 'try' : 'tries'}`;
  const next = Math.max(0, Math.ceil((entry.retryAt - now) / 1000));
  return `old container ${entry.name} cannot be removed (${tries}, next in ${next} s): ${entry.error || 'not tried yet'}`;
}
