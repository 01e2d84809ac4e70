// What every route handler is given: the daemon's parts it may call, and the engine for the
// operator's verbs.
import type { Logger } from 'pino';
import type { AccessGroups } from '../access/caller.js';
import type { Autoscaler } from '../autoscale/autoscaler.js';
import type { Balancers } from '../balancer/balancers.js';
import type { ProjectLifecycle } from '../lifecycle/project-lifecycle.js';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import type { Notifier } from '../notify/notifier.js';
import type { Clock } from '../ports/clock.js';
import type { ContainerRuntime } from '../ports/runtime.js';
import type { EventLog } from '../events/event-log.js';
import type { EventJournal } from '../journal/event-journal.js';
import type { PreviousOutput } from '../journal/previous-output.js';
import type { DashboardLogin } from '../../protocol/dashboard.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { Controller } from '../supervisor/controller.js';
import type { TagFollower } from '../updates/tag-follower.js';

export interface ApiContext {
  controller: Controller;
  registry: ProjectRegistry;
  clock: Clock;
  /** The engine, for the operator's verbs (exec, run, kill, ps, logs); supervision goes through the controller. */
  runtime: ContainerRuntime;
  autoscaler: Autoscaler;
  balancers: Balancers;
  lifecycle: ProjectLifecycle;
  events: EventLog;
  /** The events on disk, read back by /v1/events; without it the history is the in-memory one. */
  journal?: EventJournal;
  /** Output of replaced containers (`logs --previous`). */
  previousOutput?: PreviousOutput;
  metrics: DaemonMetrics;
  /** Delivery of notifications, shown in each project's status. */
  notifications?: Notifier;
  logger: Logger;
  version: string;
  /** The socket's two groups (access/caller.ts); absent: root and the daemon's uid only. */
  groups?: AccessGroups;
  /** Following image tags (`composed update`); absent in daemons built without it (tests). */
  tagFollower?: TagFollower;
  /** A one-time dashboard login link; absent when the daemon serves no dashboard (no --http). */
  dashboardLogin?: () => DashboardLogin;
}
