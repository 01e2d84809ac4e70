// What a service's sync (service-worker.ts, canary-watch.ts) reads and calls of the controller
// that runs it: kept apart so both can name it without importing each other.
import type { DaemonEventType } from '../../protocol/api.js';
import type { Operation, OperationResult } from '../core/plan.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { ProjectView } from '../state/state-store.js';
import type { ControllerDeps } from './deps.js';
import type { Observer } from './observer.js';
import type { SyncFailures } from './sync-failures.js';

/** What a sync reads and calls of the controller that runs it. */
export interface WorkerHost {
  deps: ControllerDeps;
  registry: ProjectRegistry;
  waiting: Map<string, { message: string; blocked: boolean }>;
  observer: Observer;
  failures: SyncFailures;
  isGoingDown(project: string): boolean;
  emit(event: { type: DaemonEventType; message: string; project?: string; service?: string; replica?: number }): void;
  /** Sync the key again, now or at `at` (epoch ms). */
  enqueue(serviceKey: string, at?: number): void;
  execute(record: ProjectView, plan: Operation[]): Promise<OperationResult[]>;
}
