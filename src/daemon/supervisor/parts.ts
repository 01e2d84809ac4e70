// What the parts around the supervisor (lifecycle, autoscaler, status, the file watcher, recovery
// from labels) are built from: the controller for work, the registry for records, and the engine,
// clock and logger they use themselves. main.ts makes one; tests make theirs.
import type { Logger } from 'pino';
import type { Balancers } from '../balancer/balancers.js';
import type { Clock } from '../ports/clock.js';
import type { SupervisionRuntime } from '../ports/runtime.js';
import type { ProjectRegistry } from '../state/project-registry.js';
import type { Controller } from './controller.js';

export interface SupervisorParts {
  controller: Controller;
  registry: ProjectRegistry;
  runtime: SupervisionRuntime;
  clock: Clock;
  logger: Logger;
  balancers?: Balancers;
}
