// What the supervisor is built from: passed in by main.ts (the real engine and clock) or a
// test (an engine in memory, a fake clock).
import type { Logger } from 'pino';
import type { Balancers } from '../balancer/balancers.js';
import type { RestartReason } from '../core/restart-policy.js';
import type { EventLog } from '../events/event-log.js';
import type { Clock } from '../ports/clock.js';
import type { SupervisionRuntime } from '../ports/runtime.js';

export interface ControllerDeps {
  runtime: SupervisionRuntime;
  clock: Clock;
  logger: Logger;
  events: EventLog;
  /** Full resync period (default 30 s): catches whatever the event stream missed. */
  resyncIntervalMs?: number;
  /** What the controller counts as it happens (Prometheus metrics in the daemon). */
  metrics?: ControllerMetrics;
  /** The built-in balancers: their backends follow each listing; replicas are drained before they stop. */
  balancers?: Balancers;
  /** Keeps a replaced container's output before its removal (journal/previous-output.ts). */
  keepOutput?: (project: string, service: string, replica: number, containerId: string) => Promise<void>;
}

export interface ControllerMetrics {
  countRestart(project: string, service: string, reason: RestartReason): void;
  observeReconcile(seconds: number): void;
  countReconnect(): void;
}

