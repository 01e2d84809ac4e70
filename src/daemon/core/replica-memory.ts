// What the daemon remembers about each replica between reconciles and across its own restarts:
// the restart history, the exit it has already decided about, and the last exit's details.
// Everything else is re-read from the engine each time.
import type { RestartHistory, StopCause } from './restart-policy.js';

export interface ExitRecord {
  containerId: string;
  cause: StopCause;
  exitCode?: number;
  oomKilled: boolean;
  /** Epoch ms the replica stopped (or was found gone). */
  at: number;
  /** Last log lines of the dead container (filled in by record-exit). */
  logTail: string[];
  /** Last health probe outputs, for unhealthy replicas. */
  healthOutput?: string;
}

/** The decision already taken for one stopped container, so it is counted once. */
export interface HandledExit {
  containerId: string;
  outcome: 'replace' | 'leave' | 'give-up';
  reason: string;
  /** When the replacement is due (outcome replace). */
  retryAt?: number;
}

export interface ReplicaMemory {
  /** The container the daemon last created or adopted for this replica. */
  containerId?: string;
  /** When that container was created (epoch ms); how long a removed replica ran is measured from it. */
  createdAt?: number;
  history: RestartHistory;
  handled?: HandledExit;
  lastExit?: ExitRecord;
  /** Epoch ms of each restart, newest last, at most RESTART_TIMES_KEPT. */
  restartTimes: number[];
  /**
   * A created container whose start the engine refused. Seen after a dockerd restart: "task ...
   * already exists" on every later start of that container. It is replaced, not started again.
   */
  startFailedId?: string;
  /** When the replica's container was first seen `removing` (a removal by someone else, or one that never ends). */
  removingSince?: { containerId: string; at: number };
  /** A user stopped this replica's container (`docker stop`): unless-stopped leaves it stopped. */
  stoppedByUser: boolean;
}

export const RESTART_TIMES_KEPT = 20;

export function freshMemory(): ReplicaMemory {
  return { history: { consecutive: 0, total: 0 }, restartTimes: [], stoppedByUser: false };
}
