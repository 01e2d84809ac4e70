// Which restarts happened since the last look, read from the replica memory the registry keeps
// (level-based: a restart is counted however the event that caused it reached the daemon).
import type { HistoryMark } from '../../protocol/dashboard.js';
import type { ReplicaMemory } from '../core/replica-memory.js';

/** Restarts after `since` (epoch ms), each marked with the cause of the exit before it. */
export function newRestarts(replicas: Readonly<Record<number, ReplicaMemory>>, since: number): HistoryMark[] {
  const marks: HistoryMark[] = [];
  for (const [number, memory] of Object.entries(replicas)) {
    for (const at of memory.restartTimes) {
      if (at <= since) continue;
      const exit = memory.lastExit;
      const cause = !exit ? 'exit' : exit.oomKilled ? 'oom' : exit.cause;
      const detail = exit?.cause === 'exit' && exit.exitCode !== undefined ? `exited ${exit.exitCode}${exit.oomKilled ? ' (OOM killed)' : ''}` : cause;
      marks.push({ at, kind: 'restart', replica: Number(number), cause, message: `replica ${number} restarted: ${detail}` });
    }
  }
  return marks.sort((a, b) => a.at - b.at || (a.replica ?? 0) - (b.replica ?? 0));
}
